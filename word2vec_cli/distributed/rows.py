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
against it): with the CPU's own instructions where it has them (x86 F16C, every
ARMv8), about ten times faster than the portable bit arithmetic used elsewhere.
"""

import platform

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic


@intrinsic
def bits_of_float(typingctx, value):
    """The bit pattern of a float32, as a uint32 (no conversion: a reinterpretation)."""
    if value != types.float32:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(32))

    return types.uint32(value), codegen


@intrinsic
def float_of_bits(typingctx, bits):
    """The float32 whose bit pattern is the uint32 ``bits``."""
    if not isinstance(bits, types.Integer) or bits.bitwidth != 32:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())

    return types.float32(bits), codegen


@intrinsic
def native_half_of(typingctx, value):
    """LLVM's float32 -> float16 conversion (one instruction where the CPU has one)."""
    if value != types.float32:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(builder.fptrunc(args[0], ir.HalfType()), ir.IntType(16))

    return types.uint16(value), codegen


@intrinsic
def native_float_of(typingctx, half):
    """LLVM's float16 -> float32 conversion of the uint16 bit pattern ``half``."""
    if half != types.uint16:
        return None

    def codegen(context, builder, signature, args):
        return builder.fpext(builder.bitcast(args[0], ir.HalfType()), ir.FloatType())

    return types.float32(half), codegen


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


def _cpu_converts_halves():
    """Whether this CPU converts float16 in hardware (so that LLVM emits the
    instruction, not a call to a runtime helper that numba may not link)."""
    machine = platform.machine().lower()
    if machine in ("aarch64", "arm64"):
        return True
    if machine in ("x86_64", "amd64"):
        from llvmlite import binding

        return "+f16c" in binding.get_host_cpu_features().flatten().split(",")
    return False


@njit(cache=True, nogil=True, inline="always")
def portable_half_of(value):
    """The float16 nearest to the float32 ``value``, as a uint16 bit pattern, by
    bit arithmetic (any CPU)."""
    return np.uint16(half_bits(np.int64(bits_of_float(value))))


@njit(cache=True, nogil=True, inline="always")
def portable_float_of(half):
    """The float32 value of the float16 bit pattern ``half`` (a uint16), by bit
    arithmetic (any CPU)."""
    return float_of_bits(np.uint32(float_bits(np.int64(half))))


# the conversions the kernels use: the CPU's own where it has them
half_of, float_of = ((native_half_of, native_float_of) if _cpu_converts_halves()
                     else (portable_half_of, portable_float_of))


@njit(cache=True, nogil=True)
def to_half(values):
    """Return the float16 bit patterns (uint16) of the float32 array ``values``."""
    flat = values.ravel()
    out = np.empty(flat.shape[0], np.uint16)
    for i in range(flat.shape[0]):
        out[i] = half_of(flat[i])
    return out.reshape(values.shape)


@njit(cache=True, nogil=True)
def from_half(halves):
    """Return the float32 values of the float16 bit patterns (uint16) ``halves``."""
    flat = halves.ravel()
    out = np.empty(flat.shape[0], np.float32)
    for i in range(flat.shape[0]):
        out[i] = float_of(flat[i])
    return out.reshape(halves.shape)


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
    for i in range(n):
        row = changed[i]
        for c in range(dim):
            half = half_of(local[row, c] - base[row, c])
            deltas[i, c] = half
            base[row, c] += float_of(half)
    return changed[:n].copy(), deltas


@njit(cache=True, nogil=True)
def add_half_rows(target, rows, halves):
    """Add the float16 row ``halves[i]`` (uint16 bit patterns) to
    ``target[rows[i]]`` for every ``i`` (rows may repeat)."""
    dim = target.shape[1]
    for i in range(rows.shape[0]):
        row = rows[i]
        for c in range(dim):
            target[row, c] += float_of(halves[i, c])


@njit(cache=True, nogil=True)
def add_change_less_own(local, base, rows, change, own_positions, own_deltas):
    """Add the float16 ``change[i]`` to row ``rows[i]`` of ``local`` and ``base``,
    less the float16 ``own_deltas[j]`` on row ``rows[own_positions[j]]`` (a
    worker's own part of the change, already in ``local``; ``own_positions``
    ascending), in one pass over the rows."""
    dim = local.shape[1]
    own = 0
    for i in range(rows.shape[0]):
        row = rows[i]
        mine = own < own_positions.shape[0] and own_positions[own] == i
        for c in range(dim):
            value = float_of(change[i, c])
            if mine:
                value -= float_of(own_deltas[own, c])
            local[row, c] += value
            base[row, c] += value
        if mine:
            own += 1
