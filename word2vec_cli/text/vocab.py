"""The vocabulary: words sorted by count, as the reference builds it.

``</s>`` (the newline token) is entry 0 and always kept; the other words follow,
most frequent first, equal counts in first-seen order (the reference leaves that
order to ``qsort``; ours is deterministic), and words rarer than ``min_count`` are
dropped. ``train_words`` is the sum of the kept counts, ``</s>`` included.
"""

import numpy as np

from ..errors import Word2VecError
from ..files.inputs import iter_blocks
from ..files.outputs import atomic_output
from .utf8 import cut_word

END_OF_SENTENCE = b"</s>"

#: Counts (and their sum, the number of training words) must fit in an int64.
MAX_COUNT = (1 << 63) - 1


class Vocabulary:
    """Words (bytes) and their counts, in training order.

    Attributes
    ----------
    word_bytes : list of bytes
        The words; index = word id.
    counts : numpy.ndarray of int64
        Occurrences of each word.
    """

    def __init__(self, word_bytes, counts):
        self.word_bytes = list(word_bytes)
        self.counts = np.asarray(counts, dtype=np.int64)

    def __len__(self):
        return len(self.word_bytes)

    @property
    def train_words(self):
        """Sum of the counts (the reference's ``train_words``)."""
        return int(self.counts.sum())

    @property
    def words(self):
        """The words as str (UTF-8, undecodable bytes kept as surrogate escapes)."""
        return [w.decode("utf-8", "surrogateescape") for w in self.word_bytes]

    @classmethod
    def from_table(cls, table, min_count):
        """Sort the words counted in a :class:`~word2vec_cli.wordtable.WordTable`.

        Returns ``(vocabulary, remap)`` where ``remap[provisional_id]`` is the final id
        or -1 for a dropped word.
        """
        n = len(table)
        counts = table.counts[:n]
        # a stable sort on the negated counts keeps first-seen order among ties
        order = 1 + np.argsort(-counts[1:], kind="stable")
        order = order[counts[order] >= min_count]
        order = np.concatenate(([0], order)).astype(np.int64)
        remap = np.full(n, -1, dtype=np.int32)
        remap[order] = np.arange(len(order), dtype=np.int32)
        return cls(table.words(order), counts[order].copy()), remap

    @classmethod
    def from_counts(cls, word_bytes, counts, min_count):
        """Sort ``word_bytes`` with their ``counts`` like :meth:`from_table`.

        ``</s>`` goes first whatever its position (added with count 0 when absent);
        duplicate words have their counts added. Returns the vocabulary.
        """
        merged = {END_OF_SENTENCE: 0}
        for word, count in zip(word_bytes, counts):
            merged[word] = merged.get(word, 0) + int(count)
        words = list(merged)
        counts = np.fromiter(merged.values(), dtype=np.int64, count=len(words))
        order = 1 + np.argsort(-counts[1:], kind="stable")
        order = order[counts[order] >= min_count]
        order = np.concatenate(([0], order)).astype(np.int64)
        return cls([words[i] for i in order], counts[order])

    def save(self, path):
        """Write ``word count`` lines (the reference's ``-save-vocab`` format) atomically."""
        with atomic_output(path) as handle:
            for start in range(0, len(self), 65536):
                lines = (b"%s %d\n" % (w, c) for w, c in zip(
                    self.word_bytes[start:start + 65536], self.counts[start:start + 65536].tolist()))
                handle.write(b"".join(lines))

    @classmethod
    def read(cls, path, min_count):
        """Read a ``-save-vocab`` file, re-sort it and re-apply ``min_count``.

        Raises :class:`Word2VecError` naming the line for a malformed line. Returns
        the vocabulary.
        """
        data = b"".join(iter_blocks(path)).replace(b"\r", b"")
        words, counts = [], []
        for number, line in enumerate(data.split(b"\n"), 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2:
                raise Word2VecError(f"{path}:{number}: expected 'word count', got {line[:60]!r}")
            # ASCII digits only: int() would also take 1_000, +5 and other Python syntax
            if not fields[1].isdigit():
                if fields[1][:1] == b"-" and fields[1][1:].isdigit():
                    raise Word2VecError(f"{path}:{number}: negative count {fields[1][:30].decode('ascii')}")
                raise Word2VecError(f"{path}:{number}: count is not a non-negative integer (ASCII digits): "
                                    f"{fields[1][:30]!r}")
            count = int(fields[1])
            if count > MAX_COUNT:
                raise Word2VecError(f"{path}:{number}: count {fields[1][:30].decode('ascii', 'replace')} "
                                    f"is beyond {MAX_COUNT} (the largest a 64-bit count can hold)")
            words.append(cut_word(fields[0], 98))
            counts.append(count)
        if not words:
            raise Word2VecError(f"vocabulary file has no words: {path}")
        if sum(counts) > MAX_COUNT:
            raise Word2VecError(f"{path}: the counts add up to more than {MAX_COUNT} words "
                                "(the largest a 64-bit count can hold)")
        vocabulary = cls.from_counts(words, counts, min_count)
        if vocabulary.train_words == 0:
            # the counts drive subsampling, negative sampling and the learning rate:
            # with none there is nothing to train (the reference divides by zero)
            if not any(counts):
                raise Word2VecError(f"{path}: every count of the vocabulary is 0 (it needs the words' counts, "
                                    "as -save-vocab writes them)")
            raise Word2VecError(f"{path}: no word has a count of at least -min-count {min_count}")
        return vocabulary
