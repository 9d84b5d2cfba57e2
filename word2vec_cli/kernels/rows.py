"""Row primitives of the training kernels: prefetching, dot products and updates of
float32 matrix rows, one or four rows at a time.

Small helpers used in the hot loops are inlined by numba ("inline='always'"): a
function that calls a non-inlined numba function with arrays must increment and
decrement their reference counts on every call (locked instructions, full memory
barriers), while one whose callees are all inlined has them pruned away. Hot
functions also use error_model="numpy": no zero-division checks, whose exception
paths keep that pruning from working.
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic


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


def _is_int64_vector(array):
    """Whether a numba type is a 1-D int64 array (what the atomic intrinsics take)."""
    return isinstance(array, types.Array) and array.ndim == 1 and array.dtype == types.int64


def _element_pointer(context, builder, signature, args):
    """LLVM pointer to ``array[index]`` for an intrinsic called as ``(array, index, ...)``."""
    array_type = signature.args[0]
    target = context.make_array(array_type)(context, builder, args[0])
    index = context.cast(builder, args[1], signature.args[1], types.intp)
    return cgutils.get_item_pointer(context, builder, array_type, target, [index])


@intrinsic
def compare_and_swap(typingctx, array, index, expected, new):
    """Atomically set ``array[index]`` to ``new`` if it equals ``expected``; return
    the value it had (``expected`` when the swap happened). ``array`` is a 1-D int64
    array; the operation is sequentially consistent (a full barrier on x86)."""
    if not _is_int64_vector(array):
        return None

    def codegen(context, builder, signature, args):
        pointer = _element_pointer(context, builder, signature, args)
        old = context.cast(builder, args[2], signature.args[2], types.int64)
        value = context.cast(builder, args[3], signature.args[3], types.int64)
        outcome = builder.cmpxchg(pointer, old, value, "seq_cst", "seq_cst")
        return builder.extract_value(outcome, 0)

    return types.int64(array, index, expected, new), codegen


@intrinsic
def atomic_store(typingctx, array, index, value):
    """Atomically write ``value`` to ``array[index]`` (1-D int64; sequentially
    consistent, so that writes before it are visible to whoever reads it)."""
    if not _is_int64_vector(array):
        return None

    def codegen(context, builder, signature, args):
        pointer = _element_pointer(context, builder, signature, args)
        builder.atomic_rmw("xchg", pointer, context.cast(builder, args[2], signature.args[2], types.int64),
                           "seq_cst")
        return context.get_dummy_value()

    return types.void(array, index, value), codegen


@njit(cache=True, nogil=True, inline="always")
def prefetch_rows(inputs, row_in, outputs, rows_out, n_out):
    """Prefetch ``inputs[row_in]`` and ``outputs[rows_out[j]]`` for ``j`` in 1..n_out - 1
    (entry 0, the centre word, is trained over and over and stays in cache)."""
    prefetch_row(inputs, row_in)
    for j in range(1, n_out):
        prefetch_row(outputs, rows_out[j])


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
