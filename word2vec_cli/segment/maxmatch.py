"""Maximum matching over a word list, in numba.

The dictionary is a hashed trie: an open-addressing table of the 64-bit hashes of
every prefix of every word (code points hashed one at a time, FNV-1a style), each
with flags ``PREFIX`` and ``WORD`` kept in the hash's two low bits (one cache line
per probe); single characters are looked up in a direct array instead. Matching from a position extends the hash one
character at a time and stops as soon as the text is no longer a prefix of any word,
so a lookup costs about as many probes as the longest match, not the longest word.
A second table holds the reversed words for backward matching. (Equal 64-bit hashes
of two different strings would merge them; with a few million prefixes the chance
is about 1e-7.)

* forward: from the start of a Han run, take the longest word, repeat;
* backward: the same from the end of the run;
* both (bidirectional): run both, keep the one with fewer words, then the one with
  fewer single-character words, then backward (the usual heuristic).
"""

import numpy as np
from numba import njit

from ..errors import Word2VecError
from .han import han_runs

PREFIX, WORD = 1, 2
_OFFSET = np.uint64(14695981039346656037)
_PRIME = np.uint64(1099511628211)
_HIGH = ~np.uint64(3)
#: Code points below this have their single-character flags in a direct array.
FIRST_LIMIT = 0x40000
DIRECTIONS = ("forward", "backward", "both")


@njit(cache=True, nogil=True, inline="always")
def _step(h, c):
    return (h ^ np.uint64(c)) * _PRIME


@njit(cache=True, nogil=True, inline="always")
def _slot(h, shift):
    """Return the table slot of hash ``h``: its bits mixed (murmur3's finaliser; FNV
    alone clusters badly on short strings of CJK code points), the top bits kept."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return np.int64(h >> shift)


@njit(cache=True, nogil=True, inline="always")
def _flags(entries, shift, h):
    """Return the flags of hash ``h`` (0 when absent). An entry is the hash with its
    two low bits replaced by the flags (never 0, since PREFIX is always set), so one
    probe touches one cache line."""
    key = h & _HIGH
    mask = np.uint64(entries.shape[0] - 1)
    slot = _slot(h, shift)
    while True:
        e = entries[slot]
        if e == 0:
            return 0
        if (e & _HIGH) == key:
            return np.int64(e & np.uint64(3))
        slot = (slot + 1) & np.int64(mask)


@njit(cache=True, nogil=True)
def _insert_words(cps, offsets, entries, first, shift, reverse):
    """Insert every prefix of every word ``cps[offsets[w]:offsets[w+1]]`` (reversed
    when ``reverse``); single characters go to ``first``. Returns the longest length."""
    mask = np.uint64(entries.shape[0] - 1)
    longest = 0
    for w in range(offsets.shape[0] - 1):
        b, e = offsets[w], offsets[w + 1]
        length = e - b
        if length > longest:
            longest = length
        h = _OFFSET
        for j in range(length):
            c = cps[e - 1 - j] if reverse else cps[b + j]
            h = _step(h, c)
            flag = PREFIX | (WORD if j == length - 1 else 0)
            if j == 0 and c < FIRST_LIMIT:
                first[c] |= flag
                continue
            key = h & _HIGH
            slot = _slot(h, shift)
            while entries[slot] != 0 and (entries[slot] & _HIGH) != key:
                slot = (slot + 1) & np.int64(mask)
            entries[slot] = key | (entries[slot] & np.uint64(3)) | np.uint64(flag)
    return longest


@njit(cache=True, nogil=True, inline="always")
def _lookup(entries, first, shift, h, c, length):
    """Flags of the text ending with character ``c`` whose hash is ``h``."""
    if length == 1 and c < FIRST_LIMIT:
        return np.int64(first[c])
    return _flags(entries, shift, h)


@njit(cache=True, nogil=True)
def _forward(cps, b, e, entries, first, shift, longest, marks):
    """Forward maximum matching of ``cps[b:e]``: sets ``marks[i] = 1`` where a word
    starts; returns (words, single-character words)."""
    i = b
    words = 0
    singles = 0
    while i < e:
        h = _OFFSET
        best = 1
        limit = min(longest, e - i)
        for length in range(1, limit + 1):
            c = cps[i + length - 1]
            h = _step(h, c)
            f = _lookup(entries, first, shift, h, c, length)
            if f == 0:
                break
            if f & WORD:
                best = length
        marks[i] = 1
        for j in range(i + 1, i + best):
            marks[j] = 0
        words += 1
        singles += best == 1
        i += best
    return words, singles


@njit(cache=True, nogil=True)
def _backward(cps, b, e, entries, first, shift, longest, marks):
    """Backward maximum matching of ``cps[b:e]`` (see :func:`_forward`).

    The mirror image of :func:`_forward`, written out rather than shared: each
    direction stays one plain loop that numba compiles tightly (no index arithmetic
    or branches on the direction in the innermost loop).
    """
    j = e
    words = 0
    singles = 0
    while j > b:
        h = _OFFSET
        best = 1
        limit = min(longest, j - b)
        for length in range(1, limit + 1):
            c = cps[j - length]
            h = _step(h, c)
            f = _lookup(entries, first, shift, h, c, length)
            if f == 0:
                break
            if f & WORD:
                best = length
        marks[j - best] = 1
        for k in range(j - best + 1, j):
            marks[k] = 0
        words += 1
        singles += best == 1
        j -= best
    return words, singles


@njit(cache=True, nogil=True)
def segment_runs(cps, start, fentries, ffirst, fshift, flongest, bentries, bfirst, bshift, blongest, direction,
                 scratch):
    """Set the word starts of every Han run of ``cps`` in ``start`` by maximum
    matching; ``direction`` 0 forward, 1 backward, 2 both. Returns the number of words."""
    runs = han_runs(cps)
    total = 0
    for r in range(runs.shape[0]):
        b, e = runs[r, 0], runs[r, 1]
        if direction == 0:
            total += _forward(cps, b, e, fentries, ffirst, fshift, flongest, start)[0]
        elif direction == 1:
            total += _backward(cps, b, e, bentries, bfirst, bshift, blongest, start)[0]
        else:
            fw, fs = _forward(cps, b, e, fentries, ffirst, fshift, flongest, start)
            bw, bs = _backward(cps, b, e, bentries, bfirst, bshift, blongest, scratch)
            if bw < fw or (bw == fw and bs <= fs):
                for i in range(b, e):
                    start[i] = scratch[i]
                total += bw
            else:
                total += fw
    return total


class WordList:
    """A dictionary for maximum matching, built from words (str).

    Attributes: ``forward`` and ``backward``, each ``(entries, first, shift, longest)``; ``size``
    the number of distinct words.
    """

    def __init__(self, words):
        words = sorted({w for w in words if w})
        if not words:
            raise Word2VecError("the word list for maxmatch is empty")
        text = "".join(words)
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        offsets = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum([len(w) for w in words], out=offsets[1:])
        capacity = 1 << max(4, int(2 * len(cps)).bit_length())
        self.size = len(words)
        self.forward = self._table(cps, offsets, capacity, False)
        self.backward = self._table(cps, offsets, capacity, True)

    @staticmethod
    def _table(cps, offsets, capacity, reverse):
        entries = np.zeros(capacity, dtype=np.uint64)
        first = np.zeros(FIRST_LIMIT, dtype=np.uint8)
        shift = np.uint64(64 - (capacity.bit_length() - 1))
        longest = _insert_words(cps, offsets, entries, first, shift, reverse)
        return entries, first, shift, int(longest)

    def segment(self, cps, start, direction="both"):
        """Set word starts inside the Han runs of ``cps`` (uint32) in ``start``.
        Returns the number of Han words."""
        code = DIRECTIONS.index(direction)
        scratch = np.zeros(cps.shape[0], dtype=np.uint8)
        return int(segment_runs(cps, start, *self.forward, *self.backward, code, scratch))


def read_word_list(path):
    """Return the words of a dictionary file: the first field of each line (so jieba's
    ``word frequency tag`` format works too). UTF-8; a leading BOM is ignored."""
    from ..files.inputs import open_input

    with open_input(path) as stream:
        data = stream.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Word2VecError(f"dictionary {path} is not UTF-8 (byte {exc.start})") from None
    return [line.split()[0] for line in text.splitlines() if line.split()]


__all__ = ["WordList", "read_word_list", "segment_runs", "DIRECTIONS"]
