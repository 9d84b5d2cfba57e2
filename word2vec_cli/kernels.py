"""Numba kernels: the reference's training loop, one thread's share per call.

Everything here follows the reference's arithmetic (see REFERENCE.md section 1): the
64-bit linear congruential generator, window shrinking, subsampling decisions, CBOW
context averaging, the 1000-entry sigmoid table indexed with the factor 83,
clamping, negative draws from the unigram table (here its run boundaries), and the
learning-rate schedule. Kernels release the GIL, so several Python threads run them
at once on shared matrices without locks (Hogwild), as the reference's pthreads do.

The learning rate and the initial vectors are computed in functions compiled without
fast-math, because fast-math may use approximate reciprocals and the reference's
float32 rounding must be reproduced exactly there.

Speed (measured with scripts/profile_kernels.py; see the comments at each place):
negative draws use a fixed-size bucket index instead of a binary search over the
vocabulary; the hot path is free of numba's reference counting (inlined helpers,
``_nrt=False`` step functions); output rows are trained four at a time when that is
exactly the reference's order; ``-batch 1`` adds HogBatch skip-gram, which shares
one set of negatives among the context words of a centre word.
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from .sampling import DRAW_INDEX_SHIFT, TABLE_SIZE

MAX_SENTENCE_LENGTH = 1000
MAX_EXP = 6
EXP_TABLE_SIZE = 1000
#: ``EXP_TABLE_SIZE / MAX_EXP / 2`` in the reference's integer arithmetic (not 83.33).
EXP_TABLE_FACTOR = 83
#: Threads publish their word counts and recompute the learning rate this often.
UPDATE_EVERY = 10000
#: With several threads, each trains private copies of this many Huffman nodes
#: nearest the root (see :func:`train_thread`).
HOT_NODES = 32
#: ... and merges them back into the shared rows after this many centre words.
HOT_MERGE_EVERY = 64

# Globals are frozen into the compiled code: the modulo by the table size becomes a
# multiplication by its reciprocal instead of a 64-bit division per draw.
_TABLE_SIZE = np.uint64(TABLE_SIZE)
_INDEX_SHIFT = np.int64(DRAW_INDEX_SHIFT)
_LCG_MULTIPLIER = np.uint64(25214903917)
_LCG_INCREMENT = np.uint64(11)
_F32_MAX_EXP = np.float32(MAX_EXP)
_F32_FACTOR = np.float32(EXP_TABLE_FACTOR)


def sigmoid_table():
    """Return the reference's float32 sigmoid table (1001 entries, the last unused).

    Entry ``i`` is ``sigmoid((i / 1000 * 2 - 1) * 6)`` computed as the reference does:
    the argument in float32, ``exp`` in float64, the ratio in float32.
    """
    i = np.arange(EXP_TABLE_SIZE, dtype=np.float32)
    x = (i / np.float32(EXP_TABLE_SIZE) * np.float32(2) - np.float32(1)) * np.float32(MAX_EXP)
    e = np.exp(x.astype(np.float64)).astype(np.float32)
    table = np.zeros(EXP_TABLE_SIZE + 1, dtype=np.float32)
    table[:EXP_TABLE_SIZE] = e / (e + np.float32(1))
    return table


# Small helpers used in the hot loops are inlined by numba ("inline='always'"): a
# function that calls a non-inlined numba function with arrays must increment and
# decrement their reference counts on every call (locked instructions, full memory
# barriers), while one whose callees are all inlined has them pruned away. Hot
# functions also use error_model="numpy": no zero-division checks, whose exception
# paths keep that pruning from working.


@intrinsic
def prefetch_row(typingctx, matrix, row):
    """Start loading ``matrix[row]`` (a row of a C-contiguous 2-D array) into cache.

    Emits LLVM's ``llvm.prefetch`` (``prefetchw`` on x86: the row is about to be
    written) for each 64-byte line of the row; it returns at once and never faults.
    Used for the rows of the next negatives and context words, whose cache misses
    would otherwise each stall the dot product that needs them (skip-gram with
    negative sampling spends about a third less time with it).
    """
    if not isinstance(matrix, types.Array) or matrix.ndim != 2 or not isinstance(row, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        array_type, row_type = signature.args
        array = context.make_array(array_type)(context, builder, args[0])
        index = context.cast(builder, args[1], row_type, types.intp)
        start = cgutils.get_item_pointer(context, builder, array_type, array,
                                         [index, context.get_constant(types.intp, 0)])
        columns = cgutils.unpack_tuple(builder, array.shape, 2)[1]
        n_bytes = builder.mul(columns, context.get_constant(types.intp, array_type.dtype.bitwidth // 8))
        byte_pointer = ir.IntType(8).as_pointer()
        prefetch = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer] + [ir.IntType(32)] * 3), "llvm.prefetch.p0")
        base = builder.bitcast(start, byte_pointer)
        write, locality, data = (ir.Constant(ir.IntType(32), value) for value in (1, 3, 1))
        with cgutils.for_range_slice(builder, context.get_constant(types.intp, 0), n_bytes,
                                     context.get_constant(types.intp, 64)) as (offset, _):
            builder.call(prefetch, [builder.gep(base, [offset]), write, locality, data])
        return context.get_dummy_value()

    return types.void(matrix, row), codegen


@njit(cache=True, nogil=True, inline="always")
def prefetch_rows(inputs, row_in, outputs, rows_out, n_out):
    """Prefetch ``inputs[row_in]`` and ``outputs[rows_out[j]]`` for ``j`` in 1..n_out - 1
    (entry 0, the centre word, is trained over and over and stays in cache)."""
    prefetch_row(inputs, row_in)
    for j in range(1, n_out):
        prefetch_row(outputs, rows_out[j])


@njit(cache=True, nogil=True, inline="always")
def next_random(r):
    """Advance the reference's generator: ``r * 25214903917 + 11`` modulo 2**64."""
    return r * _LCG_MULTIPLIER + _LCG_INCREMENT


@njit(cache=True, nogil=True)
def initial_vectors(n_words, size, seed):
    """Return ``syn0`` initialised as the reference does (generator seeded with ``seed``).

    Each component, row by row, is ``((r & 0xFFFF) / 65536 - 0.5) / size`` with the
    division by 65536 in float32 and the rest in float64, rounded to float32.
    """
    syn0 = np.empty((n_words, size), dtype=np.float32)
    r = np.uint64(seed)
    for i in range(n_words):
        for j in range(size):
            r = next_random(r)
            uniform = np.float32(r & np.uint64(0xFFFF)) / np.float32(65536)
            syn0[i, j] = np.float32((np.float64(uniform) - 0.5) / size)
    return syn0


@njit(cache=True, nogil=True)
def learning_rate(starting_alpha, words_done, total):
    """Return ``starting_alpha * (1 - words_done / total)`` in float32, floored at
    ``starting_alpha * 1e-4`` (that product in float64), as the reference computes it."""
    alpha = starting_alpha * (np.float32(1) - np.float32(words_done) / np.float32(total))
    floor = np.float64(starting_alpha) * 0.0001
    if alpha < floor:
        alpha = np.float32(floor)
    return alpha


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
def dot(matrix_a, row_a, matrix_b, row_b):
    """Return the float32 dot product of ``matrix_a[row_a]`` and ``matrix_b[row_b]``."""
    f = np.float32(0)
    for c in range(matrix_a.shape[1]):
        f += matrix_a[row_a, c] * matrix_b[row_b, c]
    return f


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def dot4(matrix_a, row_a, matrix_b, row_b0, row_b1, row_b2, row_b3):
    """Return the dot products of ``matrix_a[row_a]`` with four rows of ``matrix_b``.

    One pass: each element of ``matrix_a[row_a]`` is loaded once for four products
    (five loads per four multiply-adds instead of eight).
    """
    f0 = np.float32(0)
    f1 = np.float32(0)
    f2 = np.float32(0)
    f3 = np.float32(0)
    for c in range(matrix_a.shape[1]):
        x = matrix_a[row_a, c]
        f0 += x * matrix_b[row_b0, c]
        f1 += x * matrix_b[row_b1, c]
        f2 += x * matrix_b[row_b2, c]
        f3 += x * matrix_b[row_b3, c]
    return f0, f1, f2, f3


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def update_pair(inputs, row_in, outputs, row_out, neu1e, g):
    """Accumulate ``g * outputs[row_out]`` into ``neu1e`` and move ``outputs[row_out]``
    by ``g * inputs[row_in]``.

    One pass: each component of the output row is read once and used for both
    updates, which is the reference's two loops with the same per-element results
    (the input row is never the output row, and ``neu1e`` is the caller's buffer).
    """
    for c in range(neu1e.shape[0]):
        out = outputs[row_out, c]
        neu1e[c] += g * out
        outputs[row_out, c] = out + g * inputs[row_in, c]


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def update4(inputs, row_in, outputs, row_out0, row_out1, row_out2, row_out3, g0, g1, g2, g3, neu1e):
    """:func:`update_pair` for four distinct output rows at once.

    ``neu1e`` gets ``g_i * outputs[row_out_i]`` from the rows before their update, as
    four successive :func:`update_pair` calls give when the rows are distinct.
    """
    for c in range(neu1e.shape[0]):
        x = inputs[row_in, c]
        out0 = outputs[row_out0, c]
        out1 = outputs[row_out1, c]
        out2 = outputs[row_out2, c]
        out3 = outputs[row_out3, c]
        neu1e[c] += g0 * out0 + g1 * out1 + g2 * out2 + g3 * out3
        outputs[row_out0, c] = out0 + g0 * x
        outputs[row_out1, c] = out1 + g1 * x
        outputs[row_out2, c] = out2 + g2 * x
        outputs[row_out3, c] = out3 + g3 * x


@njit(cache=True, nogil=True, inline="always")
def distinct4(a, b, c, d):
    """Return whether the four row numbers are pairwise different."""
    return a != b and a != c and a != d and b != c and b != d and c != d


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def axpy(a, source, row_source, target, row_target):
    """Add ``a * source[row_source]`` to ``target[row_target]``."""
    for c in range(source.shape[1]):
        target[row_target, c] += a * source[row_source, c]


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def axpy4(a0, a1, a2, a3, source, row0, row1, row2, row3, target, row_target):
    """Add ``a0 * source[row0] + ... + a3 * source[row3]`` to ``target[row_target]``
    (one load and store of the target per four rows)."""
    for c in range(source.shape[1]):
        target[row_target, c] += (a0 * source[row0, c] + a1 * source[row1, c] + a2 * source[row2, c]
                                  + a3 * source[row3, c])


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def ns_gradient(f, label, alpha, exp_table):
    """Return the negative-sampling gradient for score ``f``, clamped outside (-6, 6)."""
    if f > _F32_MAX_EXP:
        return (label - np.float32(1)) * alpha
    if f < -_F32_MAX_EXP:
        return label * alpha
    return (label - exp_table[np.int64((f + _F32_MAX_EXP) * _F32_FACTOR)]) * alpha


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def hs_gradient(f, code, alpha, exp_table):
    """Return the hierarchical-softmax gradient for score ``f`` and code bit ``code``;
    0 outside (-6, 6), where the reference skips the node (adding 0 changes nothing)."""
    if f <= -_F32_MAX_EXP or f >= _F32_MAX_EXP:
        return np.float32(0)
    return (np.float32(1) - np.float32(code) - exp_table[np.int64((f + _F32_MAX_EXP) * _F32_FACTOR)]) * alpha


# The output rows of one input (the nodes of a Huffman path; the word and its
# negatives) are trained four at a time: four scores, then four updates. When the
# four rows are distinct this is exactly the reference's one-at-a-time order, since
# a row's update changes neither the input nor the other three rows; it halves the
# loads and lets the four dot products run in parallel instead of each waiting for
# the previous update. A negative drawn twice in a block falls back to one at a time.


@njit(cache=True, nogil=True, inline="always")
def hot_row(node, first_hot, shift):
    """Return the ``syn1`` row that holds Huffman node ``node`` for this thread: its
    private copy (``node + shift``) for the nodes from ``first_hot`` up, else ``node``."""
    return node + shift if node >= first_hot else np.int64(node)


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", _nrt=False)
def hierarchical_softmax(inputs, row_in, word, syn1, codes, points, code_lengths, neu1e, alpha, exp_table, hot):
    """Train the Huffman path of ``word`` on the input ``inputs[row_in]``.

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
        update4(inputs, row_in, syn1, node0, node1, node2, node3,
                hs_gradient(f0, codes[word, d], alpha, exp_table),
                hs_gradient(f1, codes[word, d + 1], alpha, exp_table),
                hs_gradient(f2, codes[word, d + 2], alpha, exp_table),
                hs_gradient(f3, codes[word, d + 3], alpha, exp_table), neu1e)
        d += 4
    while d < n:
        node = hot_row(points[word, d], first_hot, shift)
        f = dot(inputs, row_in, syn1, node)
        if f > -_F32_MAX_EXP and f < _F32_MAX_EXP:
            update_pair(inputs, row_in, syn1, node, neu1e, hs_gradient(f, codes[word, d], alpha, exp_table))
        d += 1


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def merge_hot_rows(syn1, base, first_hot, start):
    """Publish this thread's private copies of the hot Huffman nodes and take the
    other threads' changes: shared = private + (shared - base); then private = base = shared.

    The private rows start at row ``start`` of ``syn1``, the shared rows at
    ``first_hot``; ``base`` holds the values the private rows had at the last merge.
    """
    for h in range(base.shape[0]):
        for c in range(base.shape[1]):
            # the private value plus the others' changes: exactly the private value
            # when no other thread changed the row (one thread: the reference's result)
            shared = syn1[start + h, c] + (syn1[first_hot + h, c] - base[h, c])
            syn1[first_hot + h, c] = shared
            syn1[start + h, c] = shared
            base[h, c] = shared


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
def train_targets(inputs, row_in, syn1neg, targets, n, neu1e, alpha, exp_table):
    """Train ``inputs[row_in]`` on ``targets[0]`` (label 1) and ``targets[1:n]``
    (label 0), in this order: four at a time when those four rows are distinct."""
    j = 0
    while j + 4 <= n:
        t0, t1, t2, t3 = targets[j], targets[j + 1], targets[j + 2], targets[j + 3]
        if distinct4(t0, t1, t2, t3):
            f0, f1, f2, f3 = dot4(inputs, row_in, syn1neg, t0, t1, t2, t3)
            update4(inputs, row_in, syn1neg, t0, t1, t2, t3,
                    ns_gradient(f0, np.float32(1) if j == 0 else np.float32(0), alpha, exp_table),
                    ns_gradient(f1, np.float32(0), alpha, exp_table),
                    ns_gradient(f2, np.float32(0), alpha, exp_table),
                    ns_gradient(f3, np.float32(0), alpha, exp_table), neu1e)
            j += 4
        else:
            end = j + 4
            while j < end:
                f = dot(inputs, row_in, syn1neg, targets[j])
                update_pair(inputs, row_in, syn1neg, targets[j], neu1e,
                            ns_gradient(f, np.float32(1) if j == 0 else np.float32(0), alpha, exp_table))
                j += 1
    while j < n:
        f = dot(inputs, row_in, syn1neg, targets[j])
        update_pair(inputs, row_in, syn1neg, targets[j], neu1e,
                    ns_gradient(f, np.float32(1) if j == 0 else np.float32(0), alpha, exp_table))
        j += 1


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", _nrt=False)
def negative_sampling(inputs, row_in, word, syn1neg, negative, bounds, index, r, neu1e, alpha, exp_table,
                      targets):
    """Train ``word`` as the positive and ``negative`` drawn words as negatives.

    ``bounds`` and ``index`` describe the unigram table (:func:`sampling.unigram_bounds`,
    :func:`sampling.draw_index`). A draw of ``</s>`` is replaced by ``r % (V - 1) + 1``;
    a draw of ``word`` itself is skipped. ``targets`` (at least ``negative + 1``
    entries) is scratch space. Returns the advanced generator state.
    """
    n, r = draw_targets(word, negative, bounds, index, syn1neg.shape[0], r, targets)
    for j in range(1, n):
        prefetch_row(syn1neg, targets[j])
    train_targets(inputs, row_in, syn1neg, targets, n, neu1e, alpha, exp_table)
    return r


# Functions called once per centre word are compiled without numba's reference
# counting (_nrt=False): they allocate nothing, and otherwise each call would
# increment and decrement the count of every array argument with locked
# instructions (about two dozen per word). Their callees above are inlined.


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", _nrt=False)
def train_cbow_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg, codes, points,
                        code_lengths, hs, negative, bounds, index, r, neu1, neu1e, contexts, targets, alpha,
                        exp_table, hot):
    """One CBOW step: predict ``sentence[position]`` from the average of its context.

    The gradient is added, undivided, to every context row. Returns the generator.
    The context rows and the negatives' rows are fetched into cache (the negatives
    drawn) before the context is summed. ``contexts`` (2 window) and ``targets``
    (negative + 1) are scratch space.
    """
    word = sentence[position]
    size = neu1.shape[1]
    cw = 0
    for a in range(shrink, 2 * window + 1 - shrink):
        p = position - window + a
        if a != window and p >= 0 and p < length:
            contexts[cw] = sentence[p]
            prefetch_row(syn0, contexts[cw])
            cw += 1
    if cw > 0:  # one exit: numba prunes reference counting only in simple control flow
        n_out = 0
        if negative > 0:
            n_out, r = draw_targets(word, negative, bounds, index, syn1neg.shape[0], r, targets)
            prefetch_rows(syn0, contexts[0], syn1neg, targets, n_out)
        row = np.int64(0)  # a literal 0 argument would make numba compile the callees twice
        for c in range(size):
            neu1[row, c] = 0
            neu1e[c] = 0
        for k in range(cw):
            last = contexts[k]  # a local: a row number read inside the loop would be reloaded
            for c in range(size):  # after every store, for all LLVM knows, and not vectorised
                neu1[row, c] += syn0[last, c]
        inverse = np.float32(cw)
        for c in range(size):
            neu1[row, c] /= inverse
        if hs:
            hierarchical_softmax(neu1, row, word, syn1, codes, points, code_lengths, neu1e, alpha, exp_table, hot)
        if negative > 0:
            train_targets(neu1, row, syn1neg, targets, n_out, neu1e, alpha, exp_table)
        for k in range(cw):
            last = contexts[k]
            for c in range(size):
                syn0[last, c] += neu1e[c]
    return r


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", _nrt=False)
def train_skipgram_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg, codes,
                            points, code_lengths, hs, negative, bounds, index, r, neu1e, contexts, targets,
                            n_targets, alpha, exp_table, hot):
    """One skip-gram step: each context word's row predicts ``sentence[position]``
    and gets its gradient right after. Returns the generator.

    The negatives of all context words are drawn first (nothing else uses the
    generator until the next centre word, so the draws are the reference's), which
    lets the rows of the next context word be fetched into cache while the current
    one trains. ``contexts`` (2 window), ``targets`` (2 window x negative + 1) and
    ``n_targets`` (2 window) are scratch space.
    """
    word = sentence[position]
    size = neu1e.shape[0]
    n_in = 0
    for a in range(shrink, 2 * window + 1 - shrink):
        p = position - window + a
        if a != window and p >= 0 and p < length:
            contexts[n_in] = sentence[p]
            n_in += 1
    if negative > 0:
        for k in range(n_in):
            n_targets[k], r = draw_targets(word, negative, bounds, index, syn1neg.shape[0], r, targets[k])
    if n_in > 0:
        prefetch_rows(syn0, contexts[0], syn1neg, targets[0], n_targets[0] if negative > 0 else 0)
    for k in range(n_in):
        if k + 1 < n_in:
            prefetch_rows(syn0, contexts[k + 1], syn1neg, targets[k + 1], n_targets[k + 1] if negative > 0 else 0)
        last = contexts[k]
        for c in range(size):
            neu1e[c] = 0
        if hs:
            hierarchical_softmax(syn0, last, word, syn1, codes, points, code_lengths, neu1e, alpha, exp_table, hot)
        if negative > 0:
            train_targets(syn0, last, syn1neg, targets[k], n_targets[k], neu1e, alpha, exp_table)
        for c in range(size):
            syn0[last, c] += neu1e[c]
    return r


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", _nrt=False)
def train_skipgram_batch_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg, codes,
                                  points, code_lengths, hs, negative, bounds, index, r, contexts, targets,
                                  grads, grad_in, alpha, exp_table, hot):
    """One batched skip-gram step (``-batch 1``, HogBatch): all context words of
    ``sentence[position]`` share one set of negative samples.

    With ``C`` the context rows of ``syn0`` and ``O`` the output rows of ``syn1neg``
    (the centre word, label 1, then the drawn negatives, label 0; a draw of the
    centre word is skipped), the step computes the scores ``C O^T``, the gradients
    ``G = (label - sigmoid(score)) * alpha`` (clamped as in :func:`ns_gradient`), and
    then ``C += G O`` and ``O += G^T C``, both from the values before the step. The
    generator is used as in the plain step (window shrink, then one draw per
    negative), but ``negative`` draws per centre word instead of per context word.
    With ``hs`` the Huffman path is trained per context word first, as usual.
    ``contexts``, ``targets``, ``grads`` (2 window x negative + 1) and ``grad_in``
    (2 window x size) are the caller's scratch buffers. Returns the generator.
    """
    word = sentence[position]
    size = syn0.shape[1]
    n_in = 0
    for a in range(shrink, 2 * window + 1 - shrink):
        p = position - window + a
        if a == window or p < 0 or p >= length:
            continue
        contexts[n_in] = sentence[p]
        prefetch_row(syn0, contexts[n_in])
        for c in range(size):
            grad_in[n_in, c] = 0
        n_in += 1
    if n_in > 0:
        if hs:
            for k in range(n_in):
                hierarchical_softmax(syn0, contexts[k], word, syn1, codes, points, code_lengths, grad_in[k],
                                     alpha, exp_table, hot)
        n_out, r = draw_targets(word, negative, bounds, index, syn1neg.shape[0], r, targets)
        for j in range(1, n_out):
            prefetch_row(syn1neg, targets[j])
        batch_gradients(syn0, contexts, n_in, syn1neg, targets, n_out, grads, alpha, exp_table)
        batch_update(syn0, contexts, n_in, syn1neg, targets, n_out, grads, grad_in)
    return r


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def batch_gradients(syn0, contexts, n_in, syn1neg, targets, n_out, grads, alpha, exp_table):
    """Set ``grads[k, j]`` to the gradient of the score of ``syn0[contexts[k]]`` and
    ``syn1neg[targets[j]]`` (label 1 for ``j = 0``), four targets per pass."""
    for k in range(n_in):
        row = contexts[k]
        j = 0
        while j + 4 <= n_out:
            grads[k, j], grads[k, j + 1], grads[k, j + 2], grads[k, j + 3] = dot4(
                syn0, row, syn1neg, targets[j], targets[j + 1], targets[j + 2], targets[j + 3])
            j += 4
        while j < n_out:
            grads[k, j] = dot(syn0, row, syn1neg, targets[j])
            j += 1
        grads[k, 0] = ns_gradient(grads[k, 0], np.float32(1), alpha, exp_table)
        for j in range(1, n_out):
            grads[k, j] = ns_gradient(grads[k, j], np.float32(0), alpha, exp_table)


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def batch_update(syn0, contexts, n_in, syn1neg, targets, n_out, grads, grad_in):
    """Apply ``C += G O`` (through ``grad_in``, which may already hold the Huffman
    gradients) and ``O += G^T C``, both from the rows before the step; rows that
    occur twice get both contributions."""
    for k in range(n_in):  # grad_in += G O, from the output rows before their update
        j = 0
        while j + 4 <= n_out:
            axpy4(grads[k, j], grads[k, j + 1], grads[k, j + 2], grads[k, j + 3], syn1neg, targets[j],
                  targets[j + 1], targets[j + 2], targets[j + 3], grad_in, k)
            j += 4
        while j < n_out:
            axpy(grads[k, j], syn1neg, targets[j], grad_in, k)
            j += 1
    for j in range(n_out):  # O += G^T C: each output row stays in L1 while contexts are added
        row = targets[j]
        k = 0
        while k + 4 <= n_in:
            axpy4(grads[k, j], grads[k + 1, j], grads[k + 2, j], grads[k + 3, j], syn0, contexts[k],
                  contexts[k + 1], contexts[k + 2], contexts[k + 3], syn1neg, row)
            k += 4
        while k < n_in:
            axpy(grads[k, j], syn0, contexts[k], syn1neg, row)
            k += 1
    for k in range(n_in):
        axpy(np.float32(1), grad_in, k, syn0, contexts[k])


#: Elements kept free on both sides of a thread's scratch arrays (at least two
#: 64-byte cache lines for 4-byte elements).
_PAD = 32


@njit(cache=True, nogil=True, inline="always")
def thread_private(n, dtype):
    """Return ``n`` zeros of ``dtype`` inside a larger allocation, ``_PAD`` elements
    from either end, so that no cache line also holds another allocation."""
    return np.zeros(n + 2 * _PAD, dtype=dtype)[_PAD:_PAD + n]


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy")
def train_thread(tokens, begin, end, syn0, syn1, syn1neg, exp_table, keep, subsample, bounds, index,
                 codes, points, code_lengths, cbow, hs, negative, window, iterations, train_words,
                 word_limit, starting_alpha, seed, thread_id, progress, alphas, stop, cursors, batch,
                 hot_nodes, merge_every):
    """Train on ``tokens[begin:end]`` for ``iterations`` epochs, as one reference thread.

    Sentences end at ``</s>`` (id 0, counted but not stored) or after 1000 words;
    a word is kept by subsampling when ``keep[word]`` is at least the next uniform
    draw. Every 10,000 words the thread adds its words to ``progress[thread_id]``,
    sets the learning rate from the total of ``progress`` (published in
    ``alphas[thread_id]``), publishes its position in ``tokens`` in
    ``cursors[thread_id]`` (the driver releases the pages behind it) and returns
    early when ``stop[0]`` is set. An epoch also
    ends after ``word_limit`` words (the reference's ``train_words / threads``).
    ``batch`` selects :func:`train_skipgram_batch_position` for skip-gram.

    With ``hot_nodes`` > 0, the Huffman nodes ``V - 1 - hot_nodes .. V - 2`` (those
    nearest the root, on nearly every path) are trained in this thread's private
    rows of ``syn1`` (``hot_nodes`` rows from ``V + thread_id * (hot_nodes + 1)``;
    ``syn1`` must have room for them) and merged back after every ``merge_every``
    centre words and at the end (:func:`merge_hot_rows`). Threads writing the same
    rows at once make the cores pass those cache lines back and forth; with private
    copies hierarchical softmax scales with threads. ``hot_nodes`` 0 is the
    reference's behaviour.
    Returns the number of words this thread processed.
    """
    size = syn0.shape[1]
    # scratch written at every step: padded, so that no cache line is shared with
    # another thread's scratch (that would make the cores pass it back and forth)
    neu1 = thread_private(size, np.float32).reshape((1, size))
    neu1e = thread_private(size, np.float32)
    sentence = thread_private(MAX_SENTENCE_LENGTH + 1, np.int64)
    contexts = thread_private(2 * window, np.int64)
    targets = thread_private(2 * window * (negative + 1), np.int64).reshape((2 * window, negative + 1))
    n_targets = thread_private(2 * window, np.int64)
    grads = thread_private(2 * window * (negative + 1), np.float32).reshape((2 * window, negative + 1))
    grad_in = thread_private(2 * window * size, np.float32).reshape((2 * window, size))
    n_words = syn0.shape[0]
    first_hot = n_words - 1 - hot_nodes
    start_hot = n_words + thread_id * (hot_nodes + 1)  # a spare row between threads' copies
    hot = thread_private(2, np.int64)  # with no hot nodes first_hot is V - 1: above every node
    hot[0] = first_hot
    hot[1] = start_hot - first_hot
    base = thread_private(hot_nodes * size, np.float32).reshape((hot_nodes, size))
    for h in range(hot_nodes):
        for c in range(size):
            base[h, c] = syn1[first_hot + h, c]
            syn1[start_hot + h, c] = base[h, c]
    since_merge = 0
    r = np.uint64(seed) + np.uint64(thread_id)
    window_u = np.uint64(window)
    total = iterations * train_words + 1
    alpha = starting_alpha
    word_count = 0
    last_word_count = 0
    processed = 0
    length = 0
    position = np.int64(0)  # not a literal 0: numba would compile the step functions twice
    epochs_left = iterations
    cursor = begin
    while True:
        if word_count - last_word_count > UPDATE_EVERY:
            progress[thread_id] += word_count - last_word_count
            processed += word_count - last_word_count
            last_word_count = word_count
            alpha = learning_rate(starting_alpha, progress.sum(), total)
            alphas[thread_id] = alpha
            cursors[thread_id] = cursor
            if stop[0] != 0:
                merge_hot_rows(syn1, base, first_hot, start_hot)
                return processed
        end_of_range = False
        if length == 0:
            while True:
                if cursor >= end:
                    end_of_range = True
                    break
                word = tokens[cursor]
                cursor += 1
                word_count += 1
                if word == 0:
                    break
                if subsample:
                    r = next_random(r)
                    if keep[word] < np.float32(r & np.uint64(0xFFFF)) / np.float32(65536):
                        continue
                sentence[length] = word
                length += 1
                if length >= MAX_SENTENCE_LENGTH:
                    break
            position = np.int64(0)
        if (end_of_range and length == 0) or word_count > word_limit:
            progress[thread_id] += word_count - last_word_count
            processed += word_count - last_word_count
            epochs_left -= 1
            if epochs_left == 0:
                break
            word_count = 0
            last_word_count = 0
            length = 0
            cursor = begin
            continue
        r = next_random(r)
        shrink = np.int64(r % window_u)
        if cbow:
            r = train_cbow_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg, codes,
                                    points, code_lengths, hs, negative, bounds, index, r, neu1, neu1e,
                                    contexts, targets[0], alpha, exp_table, hot)
        elif batch:
            r = train_skipgram_batch_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg,
                                              codes, points, code_lengths, hs, negative, bounds, index, r,
                                              contexts, targets[0], grads, grad_in, alpha, exp_table, hot)
        else:
            r = train_skipgram_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg,
                                        codes, points, code_lengths, hs, negative, bounds, index, r,
                                        neu1e, contexts, targets, n_targets, alpha, exp_table, hot)
        position += 1
        if position >= length:
            length = 0
        if hot_nodes > 0:
            since_merge += 1
            if since_merge >= merge_every:
                merge_hot_rows(syn1, base, first_hot, start_hot)
                since_merge = 0
    merge_hot_rows(syn1, base, first_hot, start_hot)
    return processed


@njit(cache=True, nogil=True)
def sentence_work(kept, window, cbow, outputs):
    """Return the expected training work of a sentence with ``kept`` words left
    after subsampling, in row operations (a dot product or an update of a row).

    A position with a window shrunk to ``h`` (uniform in 1..window) has
    ``min(h, i) + min(h, kept - 1 - i)`` context words. Skip-gram trains ``outputs``
    rows (the word and its negatives, or its Huffman nodes) per context word, CBOW
    per position; each costs a dot product and two updates.
    """
    pairs = 0.0
    for i in range(min(kept, window)):  # context words one side, near each end
        reach = 0.0
        for h in range(1, window + 1):
            reach += min(h, i)
        pairs += 2 * reach / window
    if kept > window:
        pairs += 2 * (kept - window) * (window + 1) / 2
    if cbow:
        return kept * (3 * outputs + 1) + 2 * pairs
    return pairs * (3 * outputs + 1)


#: The work estimate reads this many tokens at the start of each of at most
#: SHARE_BLOCKS equal blocks of the corpus (at most 4M tokens, 16 MB, in all).
SHARE_SAMPLE = 4096
SHARE_BLOCKS = 1024


@njit(cache=True, nogil=True)
def sample_work(sample, keep, window, cbow, outputs):
    """Return the expected training work (:func:`sentence_work`) of the sentences in
    the token ids ``sample``. ``keep`` holds the subsampling keep probabilities
    (above 1 means always kept); ``</s>`` (id 0) ends sentences, as do 1000 words."""
    total = 0.0
    kept = 0.0
    length = 0
    stop = sample.shape[0]
    for i in range(stop + 1):
        if i == stop or sample[i] == 0 or length >= MAX_SENTENCE_LENGTH:
            total += sentence_work(np.int64(kept + 0.5), window, cbow, outputs)
            kept = 0.0
            length = 0
        if i < stop and sample[i] != 0:
            kept += min(np.float64(keep[sample[i]]), 1.0)
            length += 1
    return total


@njit(cache=True, nogil=True)
def balanced_shares(work, n, threads):
    """Return ``threads + 1`` offsets that split ``n`` tokens into shares of about
    equal training work, for threads that should finish together.

    ``work`` is cumulative over equal blocks: ``work[b + 1] - work[b]`` is the
    estimated work of block ``b`` of ``len(work) - 1`` (see :func:`sample_work`).
    Equal numbers of tokens are not equal work: subsampling keeps a different share
    of each part, and skip-gram trains fewer context words in short sentences (on
    the dev corpus one half of the tokens is 25% more skip-gram work than the other).
    Within a block the work is taken as even.
    """
    n_blocks = work.shape[0] - 1
    shares = np.zeros(threads + 1, dtype=np.int64)
    shares[threads] = n
    b = 0
    for k in range(1, threads):
        goal = work[n_blocks] * k / threads
        while b < n_blocks - 1 and work[b + 1] < goal:
            b += 1
        begin = b * n // n_blocks
        end = (b + 1) * n // n_blocks
        within = (goal - work[b]) / max(work[b + 1] - work[b], 1e-300)
        shares[k] = max(shares[k - 1], min(end, begin + np.int64(within * (end - begin))))
    return shares
