"""A growable hash table of byte strings with counts, usable from numba kernels.

The reference toolkit keeps its vocabulary in a C hash table; a Python dict of bytes
would cost a Python object per word and a Python loop per token. This table keeps
everything in a few flat numpy arrays so that the tokenizer in :mod:`corpus` (and the
phrase counter) can look words up from inside a jitted loop:

* ``pool``    all word bytes, back to back (uint8)
* ``starts``  where each word begins in ``pool`` (int64); ``lengths`` its length (int32)
* ``hashes``  each word's 64-bit FNV-1a hash (so rehashing never touches the pool)
* ``counts``  occurrences (int64)
* ``slots``   open-addressing table of word ids, -1 for an empty slot (power of two)
* ``meta``    [number of words, bytes of pool used]

Ids are assigned in first-seen order, which gives the deterministic tie order the
vocabulary needs. Kernels never allocate: when a table is nearly full they stop and
report it, the Python side grows the arrays (:meth:`WordTable.make_room`) and the
kernel resumes where it stopped.
"""

import numpy as np
from numba import njit

from .utf8 import cut_word as _cut_word

#: Bytes kept of a word: the reference stores at most 98 (its buffer holds 100 bytes
#: and the truncation step leaves the last byte slot for the terminator). Unlike the
#: reference, a longer word is cut at the last UTF-8 character boundary at or before
#: the limit (see :func:`utf8_cut`), never inside a multi-byte character.
MAX_WORD_BYTES = 98

FNV_OFFSET = np.uint64(14695981039346656037)
FNV_PRIME = np.uint64(1099511628211)

META_WORDS = 0
META_POOL = 1


@njit(cache=True, nogil=True)
def utf8_cut(buf, n, dropped):
    """Return how many of the ``n`` bytes of a cut word ``buf[:n]`` to keep so that the
    cut falls on a UTF-8 character boundary; ``dropped`` is the first byte cut off.

    If ``dropped`` continues a character (10xxxxxx), that character's bytes are
    removed too: its continuation bytes and its lead byte, at most 3 bytes back. Bytes
    that are not valid UTF-8 are cut where they are (as the reference does).
    """
    if n == 0 or (dropped & 0xC0) != 0x80:
        return n
    k = n
    while k > 0 and n - k < 3 and (buf[k - 1] & 0xC0) == 0x80:
        k -= 1
    if k > 0 and buf[k - 1] >= 0xC0:
        return k - 1
    return n


def cut_word(word, limit=MAX_WORD_BYTES):
    """Return ``word`` (bytes) cut to at most ``limit`` bytes at a UTF-8 character
    boundary (the same rule as :func:`utf8_cut`)."""
    return _cut_word(word, limit)


@njit(cache=True, nogil=True)
def word_hash(buf, start, length):
    """Return the 64-bit FNV-1a hash of ``buf[start:start+length]``."""
    h = FNV_OFFSET
    for i in range(start, start + length):
        h = (h ^ np.uint64(buf[i])) * FNV_PRIME
    return h


@njit(cache=True, nogil=True, inline="always")
def find_slot(slots, hashes, starts, lengths, pool, buf, start, length, h):
    """Return the slot holding the word ``buf[start:start+length]`` or the empty slot
    where it would go (probe linearly from its hash ``h``)."""
    mask = np.uint64(slots.shape[0] - 1)
    slot = np.int64(h & mask)
    while True:
        word_id = slots[slot]
        if word_id < 0:
            return slot
        if hashes[word_id] == h and lengths[word_id] == length:
            offset = starts[word_id]
            same = True
            for i in range(length):
                if pool[offset + i] != buf[start + i]:
                    same = False
                    break
            if same:
                return slot
        slot = (slot + 1) & np.int64(mask)


@njit(cache=True, nogil=True)
def lookup(slots, hashes, starts, lengths, pool, buf, start, length):
    """Return the id of the word ``buf[start:start+length]``, or -1 if absent."""
    h = word_hash(buf, start, length)
    return slots[find_slot(slots, hashes, starts, lengths, pool, buf, start, length, h)]


@njit(cache=True, nogil=True, inline="always")
def has_room(slots, counts, pool, meta):
    """Return True when one more word of maximal length fits without growing."""
    n_words = meta[META_WORDS]
    return (n_words < counts.shape[0]
            and 2 * (n_words + 1) <= slots.shape[0]
            and meta[META_POOL] + MAX_WORD_BYTES <= pool.shape[0])


@njit(cache=True, nogil=True, inline="always")
def insert_at(slot, slots, hashes, starts, lengths, counts, pool, meta, buf, start, length, h):
    """Append the word ``buf[start:start+length]`` (hash ``h``) with count 1 at the
    empty ``slot`` found by :func:`find_slot`; return its id. Needs :func:`has_room`."""
    word_id = meta[META_WORDS]
    offset = meta[META_POOL]
    for i in range(length):
        pool[offset + i] = buf[start + i]
    starts[word_id] = offset
    lengths[word_id] = length
    hashes[word_id] = h
    counts[word_id] = 1
    slots[slot] = word_id
    meta[META_WORDS] = word_id + 1
    meta[META_POOL] = offset + length
    return word_id


@njit(cache=True, nogil=True)
def add_or_count(slots, hashes, starts, lengths, counts, pool, meta, buf, start, length, add):
    """Count one occurrence of ``buf[start:start+length]`` and return its id.

    An unknown word is appended (and counted) when ``add`` is true, otherwise -1 is
    returned. The caller must have checked :func:`has_room` before calling with ``add``.
    """
    h = word_hash(buf, start, length)
    slot = find_slot(slots, hashes, starts, lengths, pool, buf, start, length, h)
    word_id = slots[slot]
    if word_id >= 0:
        counts[word_id] += 1
        return word_id
    if not add:
        return -1
    return insert_at(slot, slots, hashes, starts, lengths, counts, pool, meta, buf, start, length, h)


@njit(cache=True, nogil=True)
def rebuild_slots(slots, hashes, n_words):
    """Fill an all-empty ``slots`` array with the first ``n_words`` ids (after growth
    or pruning). Words are distinct, so no comparison of bytes is needed."""
    mask = np.uint64(slots.shape[0] - 1)
    for word_id in range(n_words):
        slot = np.int64(hashes[word_id] & mask)
        while slots[slot] >= 0:
            slot = (slot + 1) & np.int64(mask)
        slots[slot] = word_id


class WordTable:
    """Counts of distinct byte strings, with ids in first-seen order.

    Parameters
    ----------
    capacity : int
        Initial number of words; the table grows as needed.
    """

    def __init__(self, capacity=1 << 16):
        capacity = max(16, int(capacity))
        self.slots = np.full(_power_of_two(2 * capacity), -1, dtype=np.int32)
        self.hashes = np.zeros(capacity, dtype=np.uint64)
        self.starts = np.zeros(capacity, dtype=np.int64)
        self.lengths = np.zeros(capacity, dtype=np.int32)
        self.counts = np.zeros(capacity, dtype=np.int64)
        self.pool = np.zeros(capacity * 8 + MAX_WORD_BYTES, dtype=np.uint8)
        self.meta = np.zeros(2, dtype=np.int64)

    def __len__(self):
        return int(self.meta[META_WORDS])

    @property
    def arrays(self):
        """The tuple of arrays kernels take: (slots, hashes, starts, lengths, counts, pool, meta)."""
        return (self.slots, self.hashes, self.starts, self.lengths, self.counts, self.pool, self.meta)

    def add(self, word, count=0):
        """Insert ``word`` (bytes, cut to 98 bytes at a character boundary) with
        ``count`` and return its id.

        An existing word gets ``count`` added to its count.
        """
        buf = np.frombuffer(cut_word(word), dtype=np.uint8)
        self.make_room()
        word_id = add_or_count(*self.arrays, buf, 0, len(buf), True)
        self.counts[word_id] += count - 1
        return int(word_id)

    def get(self, word):
        """Return the id of ``word`` (bytes) or -1 when absent."""
        buf = np.frombuffer(cut_word(word), dtype=np.uint8)
        if len(buf) == 0:
            return -1
        return int(lookup(self.slots, self.hashes, self.starts, self.lengths, self.pool, buf, 0, len(buf)))

    def word(self, word_id):
        """Return the bytes of word ``word_id``."""
        start = int(self.starts[word_id])
        return self.pool[start:start + int(self.lengths[word_id])].tobytes()

    def words(self, ids=None):
        """Return a list of the bytes of the words ``ids`` (all words by default)."""
        if ids is None:
            ids = range(len(self))
        pool = self.pool.tobytes() if len(self) else b""
        starts, lengths = self.starts, self.lengths
        return [pool[s:s + n] for s, n in zip(starts[ids].tolist(), lengths[ids].tolist())]

    def make_room(self):
        """Grow whichever arrays are too small for one more word (amortised doubling)."""
        n_words = len(self)
        if n_words >= self.counts.shape[0]:
            new = 2 * self.counts.shape[0]
            self.hashes = _grown(self.hashes, new)
            self.starts = _grown(self.starts, new)
            self.lengths = _grown(self.lengths, new)
            self.counts = _grown(self.counts, new)
        if self.meta[META_POOL] + MAX_WORD_BYTES > self.pool.shape[0]:
            self.pool = _grown(self.pool, 2 * self.pool.shape[0])
        if 2 * (n_words + 1) > self.slots.shape[0]:
            self.slots = np.full(2 * self.slots.shape[0], -1, dtype=np.int32)
            rebuild_slots(self.slots, self.hashes, n_words)

    def keep(self, keep_ids):
        """Keep only the words ``keep_ids`` (in that order; ids are renumbered 0..k-1).

        Used to prune rare words while counting. Returns nothing.
        """
        keep_ids = np.asarray(keep_ids, dtype=np.int64)
        words = self.words(keep_ids)
        counts = self.counts[keep_ids].copy()
        hashes = self.hashes[keep_ids].copy()
        lengths = self.lengths[keep_ids].copy()
        k = len(keep_ids)
        self.hashes[:k] = hashes
        self.lengths[:k] = lengths
        self.counts[:k] = counts
        self.starts[:k] = np.concatenate(([0], np.cumsum(lengths[:-1], dtype=np.int64))) if k else []
        data = np.frombuffer(b"".join(words), dtype=np.uint8)
        self.pool[:len(data)] = data
        self.meta[META_WORDS] = k
        self.meta[META_POOL] = len(data)
        self.slots[:] = -1
        rebuild_slots(self.slots, self.hashes, k)


def _power_of_two(n):
    return 1 << max(4, int(n - 1).bit_length())


def _grown(array, size):
    out = np.zeros(size, dtype=array.dtype)
    out[:array.shape[0]] = array
    return out
