"""Subsampling of frequent words and the negative-sampling distribution.

Both reproduce the reference's arithmetic bit for bit, because a single flipped
decision puts the random generator out of step with the reference's.
"""

import numpy as np
from numba import njit

#: Entries of the reference's unigram table.
TABLE_SIZE = 100_000_000
#: Negative samples are drawn proportionally to count ** POWER.
POWER = 0.75


def keep_probabilities(counts, sample, train_words):
    """Return the float32 keep threshold of each word for subsampling.

    A word is kept when its threshold is at least the draw ``(r & 0xFFFF) / 65536``.
    The reference computes ``sample * train_words`` and the ratio ``count / that`` in
    float32, the square root and the rest in float64, then rounds to float32; this does
    the same. With ``sample <= 0`` every word is kept (threshold 2).
    """
    counts = np.asarray(counts, dtype=np.int64)
    if sample <= 0:
        return np.full(len(counts), 2.0, dtype=np.float32)
    with np.errstate(over="ignore"):  # a threshold beyond float32 is infinite: every word kept
        threshold = np.float32(np.float32(sample) * np.float32(train_words))
        safe = np.maximum(counts, 1)  # </s> may have count 0; it is never subsampled anyway
        ratio = safe.astype(np.float32) / threshold
        keep = (np.sqrt(ratio.astype(np.float64)) + 1.0) * np.float64(threshold) / safe.astype(np.float64)
        return keep.astype(np.float32)


def unigram_bounds(counts, table_size=TABLE_SIZE, power=POWER):
    """Return where each word's run starts in the reference's unigram table.

    The reference fills ``table[a] = i`` for ``a`` in ``[0, table_size)`` and moves
    to word ``i + 1`` after the first ``a`` with ``a / table_size > d_i`` (``d_i``
    the running sum of normalised ``count ** power``, in float64), at most one word
    per entry. The table is a step function, so its ``V + 1`` boundaries are enough:
    ``table[a] = searchsorted(bounds, a, 'right') - 1``. Returns int64 bounds with
    ``bounds[0] = 0`` and ``bounds[V] = table_size``; memory is O(V).
    """
    weights = np.asarray(counts, dtype=np.float64) ** power
    if not weights.sum() > 0:
        # every count 0: the reference's running sum is 0/0 (NaN), no comparison with
        # it holds, and every entry of its table is word 0
        bounds = np.full(len(weights) + 1, table_size, dtype=np.int64)
        bounds[0] = 0
        return bounds
    return _bounds_from_weights(weights, np.int64(table_size))


@njit(cache=True)
def _bounds_from_weights(weights, table_size):
    """Replay the reference's table filling on the run boundaries only."""
    n = weights.shape[0]
    total = 0.0
    for w in weights:  # sequential float64 sum, as the reference accumulates it
        total += w
    bounds = np.empty(n + 1, dtype=np.int64)
    bounds[0] = 0
    bounds[n] = table_size
    if not total > 0:  # all counts 0 (a -read-vocab file): the reference's shares are 0/0 = NaN,
        bounds[1:] = table_size  # no entry passes its test and word 0 fills the table
        return bounds
    cumulative = 0.0
    start = np.int64(0)
    for i in range(n - 1):
        cumulative += weights[i] / total
        # the first a >= start with a / table_size > cumulative is the last entry of word i
        a = max(start, np.int64(np.floor(cumulative * table_size)))
        while a > start and (a - 1) / table_size > cumulative:
            a -= 1
        while not (a / table_size > cumulative):
            a += 1
        start = min(a + 1, table_size)
        bounds[i + 1] = start
    return bounds


#: The draw index has one bucket per ``2 ** DRAW_INDEX_SHIFT`` table entries: 48,829
#: int32 buckets (191 KB) for the 10^8-entry table, whatever the vocabulary size.
DRAW_INDEX_SHIFT = 11


def draw_index(bounds, shift=DRAW_INDEX_SHIFT):
    """Return the coarse index that makes a negative draw O(1) on average.

    ``index[b]`` is the word at table entry ``b << shift`` (the last ``i`` with
    ``bounds[i] <= b << shift``), for ``b`` up to one past the last bucket, capped at
    ``V - 1``. A position ``p`` in bucket ``b = p >> shift`` then holds a word in
    ``[index[b], index[b + 1]]``: usually a single word (a frequent word spans many
    buckets), a few in the tail of rare words. :func:`kernels.draw_negative_indexed`
    searches only that range, and returns exactly the word the full table holds.
    Returns int32 of ``(table_size - 1 >> shift) + 2`` entries; memory does not
    depend on the vocabulary.
    """
    bounds = np.asarray(bounds, dtype=np.int64)
    table_size = int(bounds[-1])
    starts = np.arange(((table_size - 1) >> shift) + 2, dtype=np.int64) << shift
    index = np.searchsorted(bounds, starts, "right") - 1
    return np.minimum(index, len(bounds) - 2).astype(np.int32)
