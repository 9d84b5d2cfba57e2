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
from numba import njit

from .corpus import _chunks
from .errors import UsageError, Word2VecError
from .fileio import atomic_output, check_readable, check_writable, is_stdin
from .wordtable import WordTable, add_or_count, has_room, lookup, word_hash

#: Bytes kept of a word (the reference's MAX_STRING is 60; its truncation keeps 58).
MAX_WORD = 58
#: Bytes kept of a bigram key (``bigram_word[MAX_STRING - 1] = 0``).
MAX_BIGRAM = 59
#: The reference prunes when its table holds more than 0.7 x 500,000,000 entries.
PRUNE_LIMIT = 350_000_000

_SPACE, _TAB, _NEWLINE, _CR, _NUL, _UNDERSCORE = 32, 9, 10, 13, 0, 95
_NONE, _LINE, _WORD = 0, 1, 2
_DONE, _NEED_ROOM, _NEED_PRUNE = 0, 1, 2

# counting state: length of the last word (-1 before the first), words read,
# "the unigram of the word at the resume position is already counted", a sink
_C_LAST, _C_WORDS, _C_SKIP, _C_SINK = 0, 1, 2, 3
# rows of the counting kernel's ``spans``: word length, key length, start, end
_S_WORD, _S_KEY, _S_START, _S_NEXT = 0, 1, 2, 3
#: Words tokenized, and their slots loaded, ahead of counting them.
_BATCH = 32
# writing state: length of the last word (-2 at the start of the file, -1 after a
# newline), previous word known, count of the previous word (pa), of this word (pb),
# something written on this line, phrases formed, words written
_W_LAST, _W_KNOWN, _W_PA, _W_PB, _W_LINE, _W_PHRASES, _W_WORDS = range(7)


@njit(cache=True, nogil=True)
def _read_token(chunk, i, end, word):
    """Read the token at ``chunk[i:]``: returns ``(kind, next_position, length)``.

    ``kind`` is ``_LINE`` for a newline, ``_WORD`` for a word (its bytes are put in
    ``word``, at most 58, cut at a NUL byte), ``_NONE`` at the end of the chunk.
    """
    while i < end:
        c = chunk[i]
        if c == _NEWLINE:
            return _LINE, i + 1, 0
        if c != _SPACE and c != _TAB and c != _CR:
            break
        i += 1
    if i >= end:
        return _NONE, i, 0
    n = 0
    length = -1
    while i < end:
        c = chunk[i]
        if c == _SPACE or c == _TAB or c == _NEWLINE:
            break
        if c != _CR and n < MAX_WORD:
            if c == _NUL and length < 0:
                length = n
            word[n] = c
            n += 1
        i += 1
    if length < 0:
        length = n
    return _WORD, i, length


@njit(cache=True, nogil=True)
def _append_word(key, last_len, word, n):
    """Put ``last + '_' + word`` in ``key`` (the last word is ``key[:last_len]``);
    return the key's length, cut to 59 bytes."""
    key[last_len] = _UNDERSCORE
    for j in range(n):
        key[last_len + 1 + j] = word[j]
    return min(last_len + 1 + n, MAX_BIGRAM)


@njit(cache=True, nogil=True)
def _touch(slots, hashes, starts, lengths, counts, pool, key_hashes, n):
    """Load the table slots and entries of the first ``n`` keys (by hash) into cache.

    The loads are independent of one another, so the processor overlaps their cache
    misses; the upserts that follow, one after the other, then find them in cache.
    Returns a sum of what was read (kept by the caller, so nothing is optimised away).
    """
    mask = np.uint64(slots.shape[0] - 1)
    acc = 0
    for q in range(n):
        acc += slots[np.int64(key_hashes[q] & mask)]
    for q in range(n):
        e = slots[np.int64(key_hashes[q] & mask)]
        if e >= 0:
            acc += lengths[e] + starts[e] + counts[e] + np.int64(hashes[e] & np.uint64(1))
    for q in range(n):
        e = slots[np.int64(key_hashes[q] & mask)]
        if e >= 0:
            acc += pool[starts[e]]
    return acc


@njit(cache=True, nogil=True)
def count_chunk(chunk, pos, slots, hashes, starts, lengths, counts, pool, meta, prune_limit,
                words, keys, spans, key_hashes, last_word, state):
    """Count the words and bigrams of ``chunk[pos:]`` into the table.

    ``chunk`` ends at a separator (or is the end of the text). ``last_word[:state[0]]``
    holds the last word seen (carried over from the previous chunk). Words are taken in
    batches of ``spans.shape[1]``: tokenized (into ``words``, their bigram keys into
    ``keys``), their slots loaded (:func:`_touch`), then counted in order. Returns
    ``(position, status)``: status 1 when the table must grow, 2 when it holds more
    than ``prune_limit`` entries, 0 when the chunk is done; ``position`` is where to
    resume.
    """
    end = chunk.shape[0]
    batch = spans.shape[1]
    i = pos
    while True:
        m = 0
        j = i
        while m < batch:
            start = j
            kind, nxt, n = _read_token(chunk, j, end, words[m])
            if kind == _NONE:
                break
            j = nxt
            if kind == _LINE:
                continue
            key = keys[m]
            if m > 0:
                last = spans[_S_WORD, m - 1]
                for t in range(last):
                    key[t] = words[m - 1, t]
            elif state[_C_LAST] >= 0:
                last = state[_C_LAST]
                for t in range(last):
                    key[t] = last_word[t]
            else:
                # the reference pairs the first word with uninitialised memory: count
                # that pair under a key no text can produce (words never hold a newline)
                key[0] = _NEWLINE
                key[1] = _NEWLINE
                last = 2
            spans[_S_KEY, m] = _append_word(key, last, words[m], n)
            spans[_S_WORD, m] = n
            spans[_S_START, m] = start
            spans[_S_NEXT, m] = nxt
            key_hashes[2 * m] = word_hash(words[m], 0, n)
            key_hashes[2 * m + 1] = word_hash(key, 0, spans[_S_KEY, m])
            m += 1
        if m == 0:
            return end, _DONE
        state[_C_SINK] += _touch(slots, hashes, starts, lengths, counts, pool, key_hashes, 2 * m)
        for q in range(m):
            n = spans[_S_WORD, q]
            if state[_C_SKIP] == 0:
                if not has_room(slots, counts, pool, meta):
                    return spans[_S_START, q], _NEED_ROOM
                add_or_count(slots, hashes, starts, lengths, counts, pool, meta, words[q], 0, n, True)
                state[_C_WORDS] += 1
            else:
                state[_C_SKIP] = 0  # counted before the table grew
            if not has_room(slots, counts, pool, meta):
                state[_C_SKIP] = 1
                return spans[_S_START, q], _NEED_ROOM
            add_or_count(slots, hashes, starts, lengths, counts, pool, meta, keys[q], 0, spans[_S_KEY, q],
                         True)
            for t in range(n):
                last_word[t] = words[q, t]
            state[_C_LAST] = n
            if meta[0] > prune_limit:
                return spans[_S_NEXT, q], _NEED_PRUNE
        i = j


@njit(cache=True, nogil=True, error_model="numpy")
def write_chunk(chunk, slots, hashes, starts, lengths, counts, pool, min_count, train_words,
                threshold, word, key, state, out):
    """Write ``chunk`` to ``out`` with its phrases joined; return the bytes written.

    The table holds the vocabulary (the entries kept after counting); ``out`` must
    hold ``2 * len(chunk) + 1`` bytes (a word joined at the start of a line, which a
    negative threshold allows, gains a byte). ``state`` carries the previous word over
    chunks.
    """
    end = chunk.shape[0]
    tw = np.float32(train_words)
    limit = np.float32(threshold)
    i = 0
    n_out = 0
    while True:
        kind, i, n = _read_token(chunk, i, end, word)
        if kind == _NONE:
            return n_out
        if kind == _LINE:
            out[n_out] = _NEWLINE
            n_out += 1
            state[_W_LAST] = -1
            state[_W_LINE] = 0
            continue
        state[_W_WORDS] += 1
        oov = False
        word_id = lookup(slots, hashes, starts, lengths, pool, word, 0, n)
        known = word_id >= 0
        if known:
            state[_W_PB] = counts[word_id]
        else:
            oov = True  # the reference keeps pb from the previous word then
        if state[_W_KNOWN] == 0:
            oov = True
        state[_W_KNOWN] = 1 if known else 0
        pa = state[_W_PA]
        pb = state[_W_PB]
        if pa < min_count or pb < min_count:
            oov = True
        last = state[_W_LAST]
        if last < 0:
            # at the start of the file the previous word is unknown; after a newline
            # the reference looks up "\n_word", which is never in the table
            oov = True
        pab = 0
        if not oov:  # (the reference looks the pair up anyway, to no effect)
            k = _append_word(key, last, word, n)
            pair_id = lookup(slots, hashes, starts, lengths, pool, key, 0, k)
            if pair_id >= 0:
                pab = counts[pair_id]
            else:
                oov = True
        score = np.float32(0.0)
        if not oov:
            score = np.float32(pab - min_count) / np.float32(pa) / np.float32(pb) * tw
        if score > limit:
            out[n_out] = _UNDERSCORE
            n_out += 1
            state[_W_PB] = 0
            state[_W_PHRASES] += 1
            state[_W_LINE] = 1
        elif state[_W_LINE]:
            # (even before an empty word, i.e. one cut at a NUL byte: a '_' joining
            # the next word must not stick to the previous one)
            out[n_out] = _SPACE
            n_out += 1
        for j in range(n):
            out[n_out + j] = word[j]
            key[j] = word[j]
        n_out += n
        if n > 0:
            state[_W_LINE] = 1
        state[_W_PA] = state[_W_PB]
        state[_W_LAST] = n


@njit(cache=True, nogil=True)
def _copy_entries(src_starts, src_lengths, src_counts, src_pool, ids, begin,
                  slots, hashes, starts, lengths, counts, pool, meta):
    """Add the source entries ``ids[begin:]`` (with their counts) to a table; stop
    when it is full. Returns how many of ``ids`` are done."""
    for j in range(begin, ids.shape[0]):
        if not has_room(slots, counts, pool, meta):
            return j
        e = ids[j]
        new_id = add_or_count(slots, hashes, starts, lengths, counts, pool, meta, src_pool, src_starts[e],
                              src_lengths[e], True)
        counts[new_id] = src_counts[e]
    return ids.shape[0]


def _vocabulary_table(table, kept):
    """Return a new, compact :class:`WordTable` of the entries ``kept`` of ``table``.

    The writing pass looks up two keys per word; a table of the kept entries only is
    a fraction of the size of the counting table and stays in the processor's cache.
    """
    ids = np.flatnonzero(kept).astype(np.int64)
    vocabulary = WordTable(max(16, len(ids)))
    done = 0
    while done < len(ids):
        done = _copy_entries(table.starts, table.lengths, table.counts, table.pool, ids, done,
                             *vocabulary.arrays)
        if done < len(ids):
            vocabulary.make_room()
    return vocabulary


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
        The text (``-`` for standard input; ``.gz``/``.bz2``/``.xz`` decompressed).
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
        Folder for the temporary files (default: the system's temporary folder).
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
    folder = tempfile.mkdtemp(prefix="word2phrase-", dir=tmpdir) if (passes > 1 or is_stdin(train)) else None
    summaries = []
    try:
        source = train
        for k in range(passes):
            pass_threshold = float(threshold) / 2.0 ** k
            last = k == passes - 1
            spool = os.path.join(folder, "input.txt") if (k == 0 and is_stdin(train)) else None
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
    if debug < 2:
        return None
    from tqdm import tqdm

    total = None
    if not is_stdin(source) and not source.endswith((".gz", ".bz2", ".xz")):
        total = 2 * os.path.getsize(source)  # read once to count, once to write
    return tqdm(total=total, unit="B", unit_scale=True, desc=desc, file=sys.stderr, mininterval=0.5,
                leave=False)


def _one_pass(source, handle, min_count, threshold, bar, spool, prune_limit):
    """Count ``source``, then write it with phrases joined to ``handle``.

    When ``spool`` is given (standard input), the text is copied there while counting
    and read back from there. Returns a :class:`PassSummary`.
    """
    start = time.perf_counter()
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
        raise Word2VecError(f"training file is empty: {'standard input' if spool else source}")
    kept = kept_entries(table.counts[:len(table)], min_count)
    entries, n_kept = len(table), int(kept.sum())
    table = _vocabulary_table(table, kept)  # the counting table can go now
    if bar is not None:
        bar.set_description(bar.desc.replace(": counting", ": writing"))
    state = np.array([-2, 0, 0, 0, 0, 0, 0], dtype=np.int64)
    word = np.zeros(MAX_WORD, dtype=np.uint8)
    key = np.zeros(2 * MAX_WORD + 8, dtype=np.uint8)
    out = np.zeros(0, dtype=np.uint8)
    for data, _final in _chunks(source, on_bytes):
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
    min_reduce = 1
    prunes = 0
    n_bytes = 0
    for data, _final in _chunks(source, on_bytes):
        n_bytes += len(data)
        if spool_file is not None:
            spool_file.write(data)
        chunk = np.frombuffer(data, dtype=np.uint8)
        pos = 0
        while True:
            pos, status = count_chunk(chunk, pos, *table.arrays, prune_limit, words, keys, spans, key_hashes,
                                      last_word, state)
            if status == _DONE:
                break
            if status == _NEED_ROOM:
                table.make_room()
            else:
                # the reference's ReduceVocab: entries seen at most min_reduce times go
                n = len(table)
                table.keep(np.flatnonzero(table.counts[:n] > min_reduce))
                min_reduce += 1
                prunes += 1
    return int(state[_C_WORDS]), n_bytes, prunes


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
