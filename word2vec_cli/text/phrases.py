"""``word2phrase``: join frequent bigrams into single tokens, as the reference does.

One pass reads the text twice. The first reading counts every word and every pair of
consecutive words (the bigram ``a_b``) in one table; the second writes the text again,
joining ``a b`` into ``a_b`` when the pair scores above the threshold::

    (count(a_b) - min_count) / count(a) / count(b) * train_words > threshold

Everything below follows the reference's ``word2phrase.c`` (v0.1c) to the letter, so
that the tokens we write are the reference's, including its quirks:

* **Tokens.** As in ``word2vec`` (space, tab and newline separate words, carriage
  returns are dropped) except that ``word2phrase`` keeps only the first **58** bytes of
  a word (its buffer holds 60). A word is a C string there: a NUL byte ends it.
* **Counting.** Bigrams are counted across line breaks (the reference's reset of its
  bigram chain at a newline is dead code). The very first word of the file pairs with
  uninitialised memory in the reference; we count that one pair under a key no text
  can produce. A bigram key is cut to **59** bytes, so a long first word makes many
  pairs share one key, and a pair ``a b`` shares its entry with a word ``a_b`` that
  occurs as such in the text (one table holds both, as in the reference).
  A literal ``</s>`` in the text is an ordinary word (it counts into the reference's
  entry 0).
* **Pruning.** When the table holds more than 350,000,000 entries (0.7 x the
  reference's 500M hash), entries seen at most ``min_reduce`` times are dropped and
  ``min_reduce`` (from 1) grows by one, as the reference's ``ReduceVocab``.
* **Which entries count.** Entries rarer than ``min_count`` are not looked up. The
  reference's ``SortVocab`` also loses one entry when entry 0 (``</s>``, count 0) is
  under ``min_count`` while no other entry is: the least frequent one (the last seen
  among equals). We lose the same one.
* **Writing.** Scores are computed in float32 exactly as the C expression is
  (``long long`` operands converted to float, each operation rounded to float32) and
  compared with the threshold rounded to float32. A pair is never joined across a line
  break or when either word is unknown or rarer than ``min_count``; after a join the
  count of the joined word is taken as 0, so the next pair cannot join (with
  ``min_count 0`` it can, as in the reference).

Our output differs from the reference's only in white space: the reference writes a
space before every word (so every line starts with one); we write single spaces
between words and keep the line breaks. Deviation: a last word not followed by a
newline is kept (the reference drops it, as the training tool does).

Memory grows with the number of distinct words and bigrams (about 60-100 bytes
each), never with the size of the text, which is streamed in blocks.
"""

import dataclasses
import math
import os
import shutil
import sys
import tempfile
import time

import numpy as np

from ..errors import UsageError, Word2VecError
from ..files.inputs import check_readable, display_name, is_compressed, is_regular_file
from ..files.outputs import atomic_output, check_writable
from .chunks import run_until_done, separated_chunks
from .phrase_kernels import (_C_WORDS, _W_PHRASES, MAX_BIGRAM, MAX_WORD, PRUNE_LIMIT, _BATCH, _vocabulary_table,
                             count_chunk, write_chunk)
from .wordtable import WordTable

@dataclasses.dataclass
class PassSummary:
    """What one pass did.

    Attributes
    ----------
    threshold : float
        The threshold of this pass.
    train_words : int
        Words in the pass's input.
    entries : int
        Distinct unigrams and bigrams counted (after any pruning).
    kept : int
        Of those, the ones at least ``min_count`` times (the vocabulary scored with).
    phrases : int
        Pairs joined in the output (each makes one token out of two).
    prunes : int
        Times the counting table was pruned.
    seconds : float
        Time the pass took.
    """

    threshold: float
    train_words: int
    entries: int
    kept: int
    phrases: int
    prunes: int
    seconds: float


@dataclasses.dataclass
class PhrasesSummary:
    """The result of :func:`find_phrases`: the output path and one :class:`PassSummary`
    per pass (``passes``). ``phrases`` is the total number of joins."""

    output: str
    passes: list

    @property
    def phrases(self):
        return sum(p.phrases for p in self.passes)

    @property
    def seconds(self):
        return sum(p.seconds for p in self.passes)


def find_phrases(train, output, min_count=5, threshold=100.0, passes=1, debug=0, tmpdir=None,
                 prune_limit=PRUNE_LIMIT):
    """Join frequent bigrams of the text ``train`` and write the text to ``output``.

    Same as the reference's ``word2phrase -train TRAIN -output OUTPUT -min-count N
    -threshold F``: a pair ``a b`` becomes the token ``a_b`` when
    ``(count(a_b) - min_count) / count(a) / count(b) * train_words > threshold``
    (float32, as the reference computes it) and both words occur at least
    ``min_count`` times; a word just joined does not start a new pair; line breaks are
    kept. The output has words separated by single spaces.

    Parameters
    ----------
    train : str or os.PathLike
        The text (``-`` for standard input; a FIFO or ``/dev/stdin`` works too, read
        once; ``.gz``/``.bz2``/``.xz`` decompressed).
    output : str or os.PathLike
        Where the text with phrases goes; written atomically (replaced only on
        success). May be the same file as ``train``.
    min_count : int
        Words and bigrams rarer than this are never joined (default 5).
    threshold : float
        Score a pair must exceed to be joined (default 100; higher, fewer phrases).
    passes : int
        Run this many passes, each on the previous one's output, the threshold
        halving after the first (pass k uses ``threshold / 2**(k-1)``); two passes
        make phrases of up to four words. Intermediate texts go to a temporary folder
        that is removed afterwards.
    debug : int
        0 quiet, 1 a line of sizes per pass on stderr, 2 also a progress bar.
    tmpdir : str, optional
        Folder for the temporary files: the intermediate texts of ``passes > 1`` and,
        when ``train`` is a stream (``-``, a FIFO, ``<(...)``), a copy of the text for
        the second reading (default: ``$TMPDIR``, then the system's temporary folder).
    prune_limit : int
        Prune the counting table when it holds more entries than this (the
        reference's 350,000,000 by default).

    Returns
    -------
    PhrasesSummary
        Per pass: the threshold, words read, entries counted and kept, phrases formed.

    Raises
    ------
    Word2VecError
        A missing, empty or unreadable input, or an output that cannot be written
        (checked before any work); nothing is written then.
    UsageError
        A bad parameter value.
    """
    _validate(train, output, min_count, threshold, passes, debug)
    train, output = os.fspath(train), os.fspath(output)
    check_readable(train, "training file")
    check_writable(output, "-output file")
    min_count, passes, debug = int(min_count), int(passes), int(debug)
    stream = not is_regular_file(train)  # read once, copied to a spool for the second reading
    folder = _temporary_folder(tmpdir) if (passes > 1 or stream) else None
    summaries = []
    try:
        source = train
        for k in range(passes):
            pass_threshold = float(threshold) / 2.0 ** k
            last = k == passes - 1
            spool = os.path.join(folder, "input.txt") if (k == 0 and stream) else None
            label = f"pass {k + 1}/{passes}" if passes > 1 else "word2phrase"
            bar = _bar(source, debug, f"{label}: counting")
            try:
                if last:
                    with atomic_output(output) as handle:
                        summary = _one_pass(source, handle, min_count, pass_threshold, bar, spool,
                                            prune_limit)
                else:
                    target = os.path.join(folder, f"pass{k + 1}.txt")
                    with open(target, "wb") as handle:
                        summary = _one_pass(source, handle, min_count, pass_threshold, bar, spool,
                                            prune_limit)
            except OSError as exc:  # reads and the output raise Word2VecError: this is a temporary file
                if folder is None:
                    raise
                raise Word2VecError(f"cannot write a temporary file in {os.path.dirname(folder)}: "
                                    f"{exc.strerror or exc} (set -tmpdir or TMPDIR)") from None
            finally:
                if bar is not None:
                    bar.close()
            summaries.append(summary)
            if debug >= 1:
                print(f"Pass {k + 1}/{passes} (threshold {pass_threshold:g}): "
                      f"words in train file: {summary.train_words}, "
                      f"unigrams + bigrams: {summary.entries} ({summary.kept} with count >= {min_count}), "
                      f"phrases formed: {summary.phrases}", file=sys.stderr, flush=True)
            if not last:
                for used in (source, spool):  # intermediate texts go as soon as read
                    if used is not None and used != train:
                        os.unlink(used)
                source = target
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return PhrasesSummary(output=output, passes=summaries)


def _temporary_folder(tmpdir):
    """Create the private folder for spools and intermediate passes; return its path."""
    try:
        return tempfile.mkdtemp(prefix="word2phrase-", dir=tmpdir)
    except OSError as exc:
        where = tmpdir or tempfile.gettempdir()
        raise Word2VecError(f"cannot create a temporary folder in {where}: {exc.strerror or exc} "
                            "(set -tmpdir or TMPDIR)") from None


def _validate(train, output, min_count, threshold, passes, debug):
    if train is None or not os.fspath(train):
        raise UsageError("-train is required")
    if output is None or not os.fspath(output):
        raise UsageError("-output is required")
    for flag, value, low in (("min-count", min_count, 0), ("passes", passes, 1)):
        if int(value) != value or value < low:
            raise UsageError(f"-{flag} must be an integer of at least {low}, got {value}")
    if debug not in (0, 1, 2):
        raise UsageError(f"-debug must be 0, 1 or 2, got {debug}")
    if math.isnan(float(threshold)):
        raise UsageError("-threshold must be a number, got nan")


def _bar(source, debug, desc):
    """A pass's progress (``-debug 2``): a bar on a terminal, plain lines elsewhere."""
    if debug < 2:
        return None
    from ..console import StepProgress

    total = None
    if is_regular_file(source) and not is_compressed(source):
        total = 2 * os.path.getsize(source)  # read once to count, once to write
    return StepProgress(desc, total=total)


def _one_pass(source, handle, min_count, threshold, bar, spool, prune_limit):
    """Count ``source``, then write it with phrases joined to ``handle``.

    When ``spool`` is given (a stream, which can be read only once), the text is
    copied there while counting and read back from there. Returns a :class:`PassSummary`.
    """
    start = time.perf_counter()
    name = display_name(source)
    on_bytes = bar.update if bar is not None else None
    table = WordTable()
    table.add(b"</s>")  # the reference's entry 0; a literal "</s>" in the text counts here
    if spool is not None:
        with open(spool, "wb") as spool_file:
            train_words, n_bytes, prunes = _count(source, table, prune_limit, on_bytes, spool_file)
        source = spool
    else:
        train_words, n_bytes, prunes = _count(source, table, prune_limit, on_bytes)
    if n_bytes == 0:
        raise Word2VecError(f"training file is empty: {name}")
    kept = kept_entries(table.counts[:len(table)], min_count)
    entries, n_kept = len(table), int(kept.sum())
    table = _vocabulary_table(table, kept)  # the counting table can go now
    if bar is not None:
        bar.describe(bar.desc.replace(": counting", ": writing"))
    state = np.array([-2, 0, 0, 0, 0, 0, 0], dtype=np.int64)
    word = np.zeros(MAX_WORD, dtype=np.uint8)
    key = np.zeros(2 * MAX_WORD + 8, dtype=np.uint8)
    out = np.zeros(0, dtype=np.uint8)
    for data, _final in separated_chunks(source, on_bytes):
        chunk = np.frombuffer(data, dtype=np.uint8)
        if out.shape[0] < 2 * chunk.shape[0] + 1:
            out = np.zeros(2 * chunk.shape[0] + 1, dtype=np.uint8)
        n_out = write_chunk(chunk, table.slots, table.hashes, table.starts, table.lengths, table.counts,
                            table.pool, min_count, train_words, threshold, word, key, state, out)
        handle.write(memoryview(out)[:n_out])
    return PassSummary(threshold=threshold, train_words=train_words, entries=entries, kept=n_kept,
                       phrases=int(state[_W_PHRASES]), prunes=prunes, seconds=time.perf_counter() - start)


def _count(source, table, prune_limit, on_bytes, spool_file=None):
    """Count the unigrams and bigrams of ``source`` into ``table`` (pruning as the
    reference does); return ``(train_words, bytes_read, prunes)``."""
    words = np.zeros((_BATCH, MAX_WORD), dtype=np.uint8)
    keys = np.zeros((_BATCH, 2 * MAX_WORD + 8), dtype=np.uint8)
    spans = np.zeros((4, _BATCH), dtype=np.int64)
    key_hashes = np.zeros(2 * _BATCH, dtype=np.uint64)
    last_word = np.zeros(MAX_WORD, dtype=np.uint8)
    state = np.array([-1, 0, 0, 0], dtype=np.int64)
    prune = _ReduceVocab(table)
    n_bytes = 0
    for data, _final in separated_chunks(source, on_bytes):
        n_bytes += len(data)
        if spool_file is not None:
            spool_file.write(data)
        chunk = np.frombuffer(data, dtype=np.uint8)
        run_until_done(lambda position: count_chunk(chunk, position, *table.arrays, prune_limit, words, keys,
                                                    spans, key_hashes, last_word, state),
                       table, prune)
    return int(state[_C_WORDS]), n_bytes, prune.rounds


class _ReduceVocab:
    """The reference's ReduceVocab: entries seen at most ``min_reduce`` times go,
    and ``min_reduce`` grows by one each time."""

    def __init__(self, table):
        self.table = table
        self.min_reduce = 1
        self.rounds = 0

    def __call__(self):
        n = len(self.table)
        self.table.keep(np.flatnonzero(self.table.counts[:n] > self.min_reduce))
        self.min_reduce += 1
        self.rounds += 1


def kept_entries(counts, min_count):
    """Return a boolean array: which counted entries the reference scores with.

    Entries with ``count >= min_count``, except that the reference's ``SortVocab``
    loses the least frequent entry (the last seen among equals) when entry 0 is under
    ``min_count`` and no other entry is.
    """
    kept = counts >= min_count
    if counts.shape[0] > 1 and counts[0] < min_count:
        others = counts[1:]
        if not (others < min_count).any():
            ties = np.flatnonzero(others == others.min())
            kept[1 + ties[-1]] = False
    return kept


__all__ = ["find_phrases", "PhrasesSummary", "PassSummary", "count_chunk", "write_chunk", "kept_entries",
           "MAX_WORD", "MAX_BIGRAM", "PRUNE_LIMIT"]
