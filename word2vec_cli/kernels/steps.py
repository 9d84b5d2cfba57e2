"""The two output layers, written once and shared by every architecture: the
hierarchical-softmax step (a word's Huffman path) and the negative-sampling step
(the word and its drawn negatives), each training one input row.

Both follow the reference's arithmetic (REFERENCE.md section 1): the 1000-entry
sigmoid table indexed with the factor 83, clamping outside (-6, 6), and negative
draws from the unigram table (here its run boundaries and a bucket index).

The output rows of one input (the nodes of a Huffman path; the word and its
negatives) are trained four at a time: four scores, then four updates. When the
four rows are distinct this is exactly the reference's one-at-a-time order, since a
row's update changes neither the input nor the other three rows; it halves the
loads and lets the four dot products run in parallel instead of each waiting for
the previous update. A negative drawn twice in a block falls back to one at a time.
"""

import numpy as np
from numba import njit

from ..model.sampling import DRAW_INDEX_SHIFT, TABLE_SIZE
from ..model.weights import EXP_TABLE_FACTOR, EXP_TABLE_SIZE, LOSS_RANGE, LOSS_TABLE_SIZE, MAX_EXP, next_random
from .rows import atomic_store, compare_and_swap, distinct4, dot, dot4, prefetch_row, update4, update_pair

# Globals are frozen into the compiled code: the modulo by the table size becomes a
# multiplication by its reciprocal instead of a 64-bit division per draw.
_TABLE_SIZE = np.uint64(TABLE_SIZE)
_INDEX_SHIFT = np.int64(DRAW_INDEX_SHIFT)
_F32_MAX_EXP = np.float32(MAX_EXP)
_F32_FACTOR = np.float32(EXP_TABLE_FACTOR)
_EXP_TABLE_SIZE = np.int64(EXP_TABLE_SIZE)
_LOSS_RANGE = np.float64(LOSS_RANGE)
_LOSS_STEPS = np.float64(LOSS_TABLE_SIZE / (2 * LOSS_RANGE))


@njit(cache=True, nogil=True, inline="always")
def draw_negative(bounds, position):
    """Return the word at ``position`` of the unigram table given its run ``bounds``
    (the last ``i`` with ``bounds[i] <= position``)."""
    return search_bounds(bounds, np.int64(0), np.int64(bounds.shape[0] - 1), position)


@njit(cache=True, nogil=True, inline="always")
def search_bounds(bounds, lo, hi, position):
    """Return the last ``i`` in ``[lo, hi)`` with ``bounds[i] <= position``, given
    ``bounds[lo] <= position < bounds[hi]`` (binary search)."""
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if bounds[mid] <= position:
            lo = mid
        else:
            hi = mid
    return lo


@njit(cache=True, nogil=True, inline="always")
def draw_negative_indexed(bounds, index, position):
    """Return the same word as :func:`draw_negative`, searching only the words of
    ``position``'s bucket in ``index`` (see :func:`sampling.draw_index`).

    Most buckets hold one word, so this is a lookup instead of ~15 unpredictable
    branches of a binary search over the whole vocabulary.
    """
    bucket = position >> _INDEX_SHIFT
    # bounds[index[bucket]] <= position < bounds[index[bucket + 1] + 1]
    return search_bounds(bounds, np.int64(index[bucket]), np.int64(index[bucket + 1]) + 1, position)


@njit(cache=True, nogil=True, inline="always")
def negative_target(r, bounds, index, n_words):
    """Return the word the reference draws from generator state ``r``: the table
    entry ``(r >> 16) % 10**8``, with ``</s>`` replaced by ``r % (V - 1) + 1``."""
    target = draw_negative_indexed(bounds, index, np.int64((r >> np.uint64(16)) % _TABLE_SIZE))
    if target == 0:
        target = np.int64(r % np.uint64(n_words - 1)) + 1
    return target


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def ns_gradient(f, label, alpha, exp_table):
    """Return the negative-sampling gradient for score ``f``, clamped outside (-6, 6).

    Beyond (-6, 6) the reference takes the sigmoid as 1 or 0; gensim skips the output
    (no update). The table's spare last entry (see :func:`~word2vec_cli.model.weights.sigmoid_table`)
    says which: 0 the reference, 1 gensim (``-quality`` option ``clip``).
    """
    if f > _F32_MAX_EXP:
        if exp_table[_EXP_TABLE_SIZE] != np.float32(0):
            return np.float32(0)
        return (label - np.float32(1)) * alpha
    if f < -_F32_MAX_EXP:
        if exp_table[_EXP_TABLE_SIZE] != np.float32(0):
            return np.float32(0)
        return label * alpha
    return (label - exp_table[np.int64((f + _F32_MAX_EXP) * _F32_FACTOR)]) * alpha


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def output_loss(f, label, loss_table):
    """Return the loss of one output: ``-log sigmoid(f)`` for ``label`` 1 and
    ``-log sigmoid(-f)`` for 0, interpolated in ``loss_table`` (see
    :func:`~word2vec_cli.model.weights.loss_table`); beyond the table's range it is
    ``-z`` or 0 to within 1.2e-7.

    This is the objective the updates follow (the seed's ``L(w, u)``, negated), so
    that it is reported for every output trained, including those that the clamped
    gradient leaves alone.
    """
    z = np.float64(f) if label > 0 else -np.float64(f)
    if z <= -_LOSS_RANGE:
        return -z
    if z >= _LOSS_RANGE:
        return np.float64(0)
    t = (z + _LOSS_RANGE) * _LOSS_STEPS
    i = np.int64(t)
    low = np.float64(loss_table[i])
    return low + (t - i) * (np.float64(loss_table[i + 1]) - low)


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def hs_gradient(f, code, alpha, exp_table):
    """Return the hierarchical-softmax gradient for score ``f`` and code bit ``code``;
    0 outside (-6, 6), where the reference skips the node (adding 0 changes nothing)."""
    if f <= -_F32_MAX_EXP or f >= _F32_MAX_EXP:
        return np.float32(0)
    return (np.float32(1) - np.float32(code) - exp_table[np.int64((f + _F32_MAX_EXP) * _F32_FACTOR)]) * alpha


@njit(cache=True, nogil=True, inline="always")
def hot_row(node, first_hot, shift):
    """Return the ``syn1`` row that holds Huffman node ``node`` for this thread: its
    private copy (``node + shift``) for the nodes from ``first_hot`` up, else ``node``."""
    return node + shift if node >= first_hot else np.int64(node)


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", _nrt=False)
def hierarchical_softmax(inputs, row_in, word, syn1, codes, points, code_lengths, neu1e, alpha, exp_table,
                         loss_table, loss, hot):
    """Train the Huffman path of ``word`` on the input ``inputs[row_in]``; add the
    loss of every node (:func:`output_loss`, label ``1 - code``) to ``loss[0]``.

    Nodes whose score is outside (-6, 6) are skipped, as in the reference. The
    nodes of a path are distinct, so they are always trained four at a time.
    ``hot`` is ``(first_hot, shift)`` (see :func:`hot_row`): the nodes nearest the
    root are trained in this thread's private rows; ``(V - 1, 0)`` or above for none.
    """
    first_hot, shift = hot[0], hot[1]
    n = code_lengths[word]
    d = 0
    while d + 4 <= n:
        node0 = hot_row(points[word, d], first_hot, shift)
        node1 = hot_row(points[word, d + 1], first_hot, shift)
        node2 = hot_row(points[word, d + 2], first_hot, shift)
        node3 = hot_row(points[word, d + 3], first_hot, shift)
        f0, f1, f2, f3 = dot4(inputs, row_in, syn1, node0, node1, node2, node3)
        if loss.shape[0] > 0:  # loss tracking is on
            loss[0] += (output_loss(f0, 1 - codes[word, d], loss_table)
                        + output_loss(f1, 1 - codes[word, d + 1], loss_table)
                        + output_loss(f2, 1 - codes[word, d + 2], loss_table)
                        + output_loss(f3, 1 - codes[word, d + 3], loss_table))
        update4(inputs, row_in, syn1, node0, node1, node2, node3,
                hs_gradient(f0, codes[word, d], alpha, exp_table),
                hs_gradient(f1, codes[word, d + 1], alpha, exp_table),
                hs_gradient(f2, codes[word, d + 2], alpha, exp_table),
                hs_gradient(f3, codes[word, d + 3], alpha, exp_table), neu1e)
        d += 4
    while d < n:
        node = hot_row(points[word, d], first_hot, shift)
        f = dot(inputs, row_in, syn1, node)
        if loss.shape[0] > 0:  # loss tracking is on
            loss[0] += output_loss(f, 1 - codes[word, d], loss_table)
        if f > -_F32_MAX_EXP and f < _F32_MAX_EXP:
            update_pair(inputs, row_in, syn1, node, neu1e, hs_gradient(f, codes[word, d], alpha, exp_table))
        d += 1


@njit(cache=True, nogil=True, error_model="numpy")
def merge_hot_rows(syn1, base, first_hot, start):
    """Publish this thread's private copies of the hot Huffman nodes and take the
    other threads' changes: shared = private + (shared - base); then private = base = shared.

    The private rows start at row ``start`` of ``syn1``, the shared rows at
    ``first_hot``; ``base`` holds the values the private rows had at the last merge.
    Compiled without fast-math (and not inlined into the fast-math kernel), so that
    the sum is evaluated as written: exactly the private value when no other thread
    changed the row (one thread: the reference's result). The caller holds the
    merge lock (:func:`try_merge_hot_rows`).
    """
    for h in range(base.shape[0]):
        for c in range(base.shape[1]):
            shared = syn1[start + h, c] + (syn1[first_hot + h, c] - base[h, c])
            syn1[first_hot + h, c] = shared
            syn1[start + h, c] = shared
            base[h, c] = shared


@njit(cache=True, nogil=True, inline="always")
def try_merge_hot_rows(syn1, base, first_hot, start, lock, wait):
    """Merge the hot rows (:func:`merge_hot_rows`) under ``lock[0]`` (0 free, 1
    held); return whether it was done.

    Two threads merging at once would both read a shared row, add their own change
    and write it back, and one change would be lost. With ``wait`` false a taken lock
    is left alone (the caller tries again at its next centre word, so no thread ever
    spins while the other merges); with ``wait`` it spins until the lock is free.
    """
    while compare_and_swap(lock, 0, 0, 1) != 0:
        if not wait:
            return False
    merge_hot_rows(syn1, base, first_hot, start)
    atomic_store(lock, 0, 0)
    return True


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def draw_targets(word, negative, bounds, index, n_words, r, targets):
    """Fill ``targets`` with ``word`` and then the words of ``negative`` draws, minus
    the draws of ``word`` itself. Returns ``(count, generator)``.

    The draws are the only use of the generator between two centre words' window
    shrinks, so drawing them all before training them keeps the reference's sequence.
    """
    targets[0] = word
    n = 1
    for d in range(negative):
        r = next_random(r)
        target = negative_target(r, bounds, index, n_words)
        if target != word:
            targets[n] = target
            n += 1
    return n, r


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def train_target(inputs, row_in, syn1neg, target, label, neu1e, alpha, exp_table, loss_table, loss):
    """Train ``inputs[row_in]`` on one output row ``syn1neg[target]`` with ``label``
    (1 or 0, a float32), adding its loss to ``loss[0]`` when tracking is on."""
    f = dot(inputs, row_in, syn1neg, target)
    if loss.shape[0] > 0:  # loss tracking is on
        loss[0] += output_loss(f, label, loss_table)
    update_pair(inputs, row_in, syn1neg, target, neu1e, ns_gradient(f, label, alpha, exp_table))


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def train_targets(inputs, row_in, syn1neg, targets, n, neu1e, alpha, exp_table, loss_table, loss):
    """Train ``inputs[row_in]`` on ``targets[0]`` (label 1) and ``targets[1:n]``
    (label 0), in this order: four at a time when those four rows are distinct
    (else one at a time, as the reference). The losses are added to ``loss[0]``.
    """
    j = 0
    while j + 4 <= n:
        t0, t1, t2, t3 = targets[j], targets[j + 1], targets[j + 2], targets[j + 3]
        if distinct4(t0, t1, t2, t3):
            f0, f1, f2, f3 = dot4(inputs, row_in, syn1neg, t0, t1, t2, t3)
            if loss.shape[0] > 0:  # loss tracking is on
                loss[0] += (output_loss(f0, 1 if j == 0 else 0, loss_table) + output_loss(f1, 0, loss_table)
                            + output_loss(f2, 0, loss_table) + output_loss(f3, 0, loss_table))
            update4(inputs, row_in, syn1neg, t0, t1, t2, t3,
                    ns_gradient(f0, np.float32(1) if j == 0 else np.float32(0), alpha, exp_table),
                    ns_gradient(f1, np.float32(0), alpha, exp_table),
                    ns_gradient(f2, np.float32(0), alpha, exp_table),
                    ns_gradient(f3, np.float32(0), alpha, exp_table), neu1e)
            j += 4
        else:
            for k in range(j, j + 4):
                train_target(inputs, row_in, syn1neg, targets[k], np.float32(1) if k == 0 else np.float32(0),
                             neu1e, alpha, exp_table, loss_table, loss)
            j += 4
    for k in range(j, n):
        train_target(inputs, row_in, syn1neg, targets[k], np.float32(1) if k == 0 else np.float32(0), neu1e,
                     alpha, exp_table, loss_table, loss)


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", _nrt=False)
def negative_sampling(inputs, row_in, word, syn1neg, negative, bounds, index, r, neu1e, alpha, exp_table,
                      loss_table, loss, targets):
    """Train ``word`` as the positive and ``negative`` drawn words as negatives.

    ``bounds`` and ``index`` describe the unigram table (:func:`sampling.unigram_bounds`,
    :func:`sampling.draw_index`). A draw of ``</s>`` is replaced by ``r % (V - 1) + 1``;
    a draw of ``word`` itself is skipped. ``targets`` (at least ``negative + 1``
    entries) is scratch space. Returns the advanced generator state.
    """
    n, r = draw_targets(word, negative, bounds, index, syn1neg.shape[0], r, targets)
    for j in range(1, n):
        prefetch_row(syn1neg, targets[j])
    train_targets(inputs, row_in, syn1neg, targets, n, neu1e, alpha, exp_table, loss_table, loss)
    return r


def step_suffix(hs, ns, plain):
    """Return the name suffix of a position step compiled for these branches (its own
    cache files), "" for the step that keeps them all."""
    if (hs, ns, plain) == (True, True, False):
        return ""
    return "_" + "_".join(name for name, on in (("hs", hs), ("ns", ns), ("plain", plain)) if on)
