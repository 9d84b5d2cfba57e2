"""The numba kernels of ``word2phrase``: counting words and bigrams, and writing the
text with the pairs that score above the threshold joined (see :mod:`.phrases` for
the rules, which follow the reference's ``word2phrase.c``)."""

import numpy as np
from numba import njit

from .chunks import DONE, NEED_PRUNE, NEED_ROOM
from .wordtable import WordTable, add_or_count, has_room, lookup, utf8_cut, word_hash

#: Bytes kept of a word (the reference's MAX_STRING is 60; its truncation keeps 58).
#: A longer word is cut at the last UTF-8 character boundary at or before 58 bytes
#: (the reference cuts inside a character); the bigram keys (59 bytes) are only
#: counted, never written, so their cut is left as the reference's.
MAX_WORD = 58
#: Bytes kept of a bigram key (``bigram_word[MAX_STRING - 1] = 0``).
MAX_BIGRAM = 59
#: The reference prunes when its table holds more than 0.7 x 500,000,000 entries.
PRUNE_LIMIT = 350_000_000

_SPACE, _TAB, _NEWLINE, _CR, _NUL, _UNDERSCORE = 32, 9, 10, 13, 0, 95
_NONE, _LINE, _WORD = 0, 1, 2
_DONE, _NEED_ROOM, _NEED_PRUNE = DONE, NEED_ROOM, NEED_PRUNE

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
    dropped = -1
    while i < end:
        c = chunk[i]
        if c == _SPACE or c == _TAB or c == _NEWLINE:
            break
        if c != _CR:
            if n < MAX_WORD:
                if c == _NUL and length < 0:
                    length = n
                word[n] = c
                n += 1
            elif dropped < 0:
                dropped = c
        i += 1
    if dropped >= 0:
        n = utf8_cut(word, n, dropped)
    if length < 0 or length > n:
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
