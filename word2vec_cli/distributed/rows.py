"""numba kernels for the exchange of rows between Dask workers and the client.

Each round a worker finds the rows it changed, and the client and every worker add
row changes into their matrices. In numpy that is several passes over the hot block
(a subtraction, a comparison, fancy-index copies, float16 conversions: about 100 ms
a round for 16,000 rows of 100 floats in two matrices, on cores that are also
training); these kernels do each in one pass. Not fastmath: rows are compared and
rounded exactly.

Changes travel as float16 (half the bytes of float32), held here as their uint16
bit patterns (numba has no float16 type; numpy views the arrays as float16). The
conversions round to nearest, ties to even, as numpy's ``astype`` does (tested
against it).
"""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, inline="always")
def half_bits(bits):
    """Return the float16 bit pattern nearest (ties to even) to the float32 whose
    bit pattern is ``bits`` (an int64 holding the 32 bits)."""
    sign = (bits >> 16) & 0x8000
    magnitude = bits & 0x7FFFFFFF
    if magnitude >= 0x7F800000:  # infinity or NaN
        return sign | (0x7E00 if magnitude > 0x7F800000 else 0x7C00)
    if magnitude >= 0x477FF000:  # 65520 and up round to infinity
        return sign | 0x7C00
    if magnitude >= 0x38800000:  # a normal float16: rebias the exponent, round 13 bits away
        rounded = magnitude + 0xFFF + ((magnitude >> 13) & 1)
        return sign | ((rounded - 0x38000000) >> 13)
    if magnitude < 0x33000000:  # below 2**-25: zero (2**-25 itself ties to the even zero)
        return sign
    exponent = magnitude >> 23  # a subnormal float16: the value in units of 2**-24
    significand = (magnitude & 0x7FFFFF) | 0x800000
    shift = 126 - exponent
    kept = significand >> shift
    rest = significand & ((1 << shift) - 1)
    halfway = 1 << (shift - 1)
    if rest > halfway or (rest == halfway and (kept & 1)):
        kept += 1
    return sign | kept


@njit(cache=True, nogil=True, inline="always")
def float_bits(half):
    """Return the float32 bit pattern of the float16 whose bit pattern is ``half``."""
    sign = (half & 0x8000) << 16
    exponent = (half >> 10) & 0x1F
    mantissa = half & 0x3FF
    if exponent == 31:  # infinity or NaN
        return sign | 0x7F800000 | (mantissa << 13)
    if exponent == 0:
        if mantissa == 0:
            return sign
        exponent = 1  # a subnormal: normalise it
        while (mantissa & 0x400) == 0:
            mantissa <<= 1
            exponent -= 1
        mantissa &= 0x3FF
    return sign | ((exponent + 112) << 23) | (mantissa << 13)


@njit(cache=True, nogil=True)
def to_half(values):
    """Return the float16 bit patterns (uint16) of the float32 array ``values``."""
    flat = values.ravel()
    bits = flat.view(np.uint32)
    out = np.empty(flat.shape[0], np.uint16)
    for i in range(flat.shape[0]):
        out[i] = half_bits(np.int64(bits[i]))
    return out.reshape(values.shape)


@njit(cache=True, nogil=True)
def from_half(halves):
    """Return the float32 values of the float16 bit patterns (uint16) ``halves``."""
    flat = halves.ravel()
    out = np.empty(flat.shape[0], np.uint32)
    for i in range(flat.shape[0]):
        out[i] = float_bits(np.int64(flat[i]))
    return out.view(np.float32).reshape(halves.shape)


@njit(cache=True, nogil=True)
def take_changed_rows(local, base, begin, end):
    """Return ``(indices, deltas)``: the rows in ``[begin, end)`` where ``local``
    differs from ``base`` (int32) and ``local - base`` on them rounded to float16
    (uint16 bit patterns); add the rounded deltas to ``base`` on those rows (they
    are sent; what the rounding left out stays in ``local - base``)."""
    dim = local.shape[1]
    changed = np.empty(max(end - begin, 0), np.int32)
    n = 0
    for row in range(begin, end):
        for c in range(dim):
            if local[row, c] != base[row, c]:
                changed[n] = row
                n += 1
                break
    deltas = np.empty((n, dim), np.uint16)
    scratch = np.empty(1, np.float32)
    scratch_bits = scratch.view(np.uint32)
    for i in range(n):
        row = changed[i]
        for c in range(dim):
            scratch[0] = local[row, c] - base[row, c]
            half = half_bits(np.int64(scratch_bits[0]))
            deltas[i, c] = half
            scratch_bits[0] = float_bits(half)
            base[row, c] += scratch[0]
    return changed[:n].copy(), deltas


@njit(cache=True, nogil=True)
def add_half_rows(target, rows, halves, sign):
    """Add ``sign`` times the float16 row ``halves[i]`` (uint16 bit patterns) to
    ``target[rows[i]]`` for every ``i`` (rows may repeat)."""
    dim = target.shape[1]
    scratch = np.empty(1, np.float32)
    scratch_bits = scratch.view(np.uint32)
    for i in range(rows.shape[0]):
        row = rows[i]
        for c in range(dim):
            scratch_bits[0] = float_bits(np.int64(halves[i, c]))
            target[row, c] += sign * scratch[0]


@njit(cache=True, nogil=True)
def add_change_less_own(local, base, rows, change, own_positions, own_deltas):
    """Add the float16 ``change[i]`` to row ``rows[i]`` of ``local`` and ``base``,
    less the float16 ``own_deltas[j]`` on row ``rows[own_positions[j]]`` (a
    worker's own part of the change, already in ``local``)."""
    add_half_rows(local, rows, change, np.float32(1))
    add_half_rows(base, rows, change, np.float32(1))
    own_rows = rows[own_positions]
    add_half_rows(local, own_rows, own_deltas, np.float32(-1))
    add_half_rows(base, own_rows, own_deltas, np.float32(-1))
