"""Writing vector files byte for byte as the reference does (text and binary).

Records are formatted by numba kernels into large byte blocks, so writing a large
matrix does no Python-level work per number.
"""

import numpy as np
from numba import njit

from ..errors import Word2VecError
from ..files.outputs import atomic_output



@njit(cache=True, nogil=True)
def _write_digits(out, pos, value):
    """Write the decimal digits of ``value`` (>= 0) at ``out[pos]``; return the new end."""
    if value == 0:
        out[pos] = 48
        return pos + 1
    length = 0
    rest = value
    while rest > 0:
        length += 1
        rest //= 10
    for k in range(length - 1, -1, -1):
        out[pos + k] = 48 + value % 10
        value //= 10
    return pos + length


@njit(cache=True, nogil=True, inline="always")
def _write_word(pool, word_starts, i, out, pos):
    """Write word ``i`` (``pool[word_starts[i]:word_starts[i+1] - 1]``) and a space
    at ``out[pos]``; return the new end."""
    for k in range(word_starts[i], word_starts[i + 1] - 1):
        out[pos] = pool[k]
        pos += 1
    out[pos] = 32
    return pos + 1


@njit(cache=True, nogil=True)
def _format_text_rows(pool, word_starts, matrix, out):
    """Write the rows of ``matrix`` as reference text records into ``out``.

    Row i is ``pool[word_starts[i]:word_starts[i+1] - 1]`` (the words joined by
    spaces), a space, then each value as
    C's ``%lf`` followed by a space, then a newline. ``%lf`` rounds the exact
    decimal value of the double to six places, ties to even; a float32 times 1e6 is
    exact in double, so ``rint(x * 1e6)`` is that rounding. Returns the bytes
    written, or -1 when a value is too large for this fast path.
    """
    n_rows, dim = matrix.shape
    pos = 0
    for i in range(n_rows):
        pos = _write_word(pool, word_starts, i, out, pos)
        for j in range(dim):
            x = np.float64(matrix[i, j])
            if np.copysign(1.0, x) < 0:  # the sign bit, so -0.0 and -nan print '-'
                out[pos] = 45
                pos += 1
                x = -x
            if np.isnan(x):
                out[pos] = 110
                out[pos + 1] = 97
                out[pos + 2] = 110
                pos += 3
            elif np.isinf(x):
                out[pos] = 105
                out[pos + 1] = 110
                out[pos + 2] = 102
                pos += 3
            else:
                scaled = np.rint(x * 1e6)
                if scaled >= 9.0e18:
                    return -1
                units = np.int64(scaled)
                pos = _write_digits(out, pos, units // 1000000)
                out[pos] = 46
                fraction = units % 1000000
                for k in range(6, 0, -1):
                    out[pos + k] = 48 + fraction % 10
                    fraction //= 10
                pos += 7
            out[pos] = 32
            pos += 1
        out[pos] = 10
        pos += 1
    return pos


@njit(cache=True, nogil=True)
def _format_binary_rows(pool, word_starts, matrix_bytes, out):
    """Write ``word space floats newline`` records (the reference's binary layout)
    into ``out``; words are as for :func:`_format_text_rows`, ``matrix_bytes`` is
    the little-endian float32 matrix viewed as bytes. Returns the bytes written."""
    n_rows, record_bytes = matrix_bytes.shape
    pos = 0
    for i in range(n_rows):
        pos = _write_word(pool, word_starts, i, out, pos)
        for k in range(record_bytes):
            out[pos + k] = matrix_bytes[i, k]
        pos += record_bytes
        out[pos] = 10
        pos += 1
    return pos


def format_c_float(value):
    """Return ``value`` as C's ``printf("%f")`` prints it (``-nan`` for a NaN with its
    sign bit set, which Python's ``'%f'`` cannot show)."""
    value = float(value)
    if value != value:
        return "-nan" if np.signbit(value) else "nan"
    return "%f" % value


def _slow_text_rows(word_bytes, matrix):
    """Format rows in Python (used only for values beyond 9e12); returns bytes."""
    lines = []
    for word, row in zip(word_bytes, matrix):
        numbers = "".join(format_c_float(x) + " " for x in row)
        lines.append(word + b" " + numbers.encode("ascii") + b"\n")
    return b"".join(lines)


def _check_text_words(pool, starts):
    """Refuse a word the text format cannot hold (a reader would not give it back):
    an empty one, or one with a newline (the reader splits lines first). Returns nothing."""
    lengths = starts[1:] - starts[:-1] - 1
    empty = np.flatnonzero(lengths <= 0)
    if empty.size:
        raise Word2VecError(f"cannot write word {int(empty[0])} (counting from 0) to a text vector file: "
                            "it is empty")
    breaks = np.flatnonzero(pool == 10)
    if breaks.size:
        index = int(np.searchsorted(starts, breaks[0], "right")) - 1
        raise Word2VecError(f"cannot write word {index} (counting from 0) to a text vector file: "
                            "it contains a newline")


def _joined_words(words):
    """Return (pool, starts): the words' bytes joined by spaces (uint8) and where
    each begins, so that word i is ``pool[starts[i]:starts[i+1] - 1]``.

    Encoding one joined string is much faster than a million small ones; it is
    also how a word with a space (which no reader could split off) is caught.
    """
    try:
        joined = " ".join(words)
    except TypeError:
        joined = " ".join(w.decode("utf-8", "surrogateescape") if isinstance(w, bytes) else w for w in words)
    pool = np.frombuffer(joined.encode("utf-8", "surrogateescape"), dtype=np.uint8)
    spaces = np.flatnonzero(pool == 32)
    if len(spaces) != max(len(words) - 1, 0):
        bad = next(w for w in words if " " in (w if isinstance(w, str) else w.decode("latin-1")))
        raise Word2VecError(f"cannot write word {bad!r}: words may not contain spaces")
    starts = np.empty(len(words) + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:len(words)] = spaces + 1
    starts[len(words)] = pool.size + 1
    firsts = starts[:-1][starts[:-1] < pool.size]
    if (pool[firsts] == 10).any():
        raise Word2VecError("cannot write a word that starts with a newline (readers skip it)")
    return pool, starts


def save_vectors(path, words, matrix, binary=False):
    """Write ``words`` and ``matrix`` to ``path`` in the reference's text or binary format.

    Byte for byte what the reference writes: header ``"V D\\n"``; text records are
    the word, a space and each component as ``%lf`` followed by a space, then a
    newline; binary records are the word, a space, D little-endian float32 and a
    newline. Words (str, or bytes) may not contain spaces, nor, in text, newlines,
    nor be empty (:class:`Word2VecError` naming the word's index: the format
    cannot hold them). The file is written atomically. Returns nothing.
    """
    matrix = np.ascontiguousarray(matrix, dtype="<f4")
    if matrix.ndim != 2 or matrix.shape[0] != len(words):
        raise ValueError(f"need a ({len(words)}, dim) matrix, got shape {matrix.shape}")
    n_rows, dim = matrix.shape
    pool, starts = _joined_words(words)
    if not binary:
        _check_text_words(pool, starts)
    # about 8 MB of floats per block keeps the text buffer around 60 MB
    rows_per_block = max(1, (1 << 21) // max(dim, 1))
    out = None
    with atomic_output(path) as handle:
        handle.write(b"%d %d\n" % (n_rows, dim))
        for first in range(0, n_rows, rows_per_block):
            block = matrix[first: first + rows_per_block]
            block_starts = starts[first: first + block.shape[0] + 1]
            word_bytes = int(block_starts[-1] - block_starts[0])
            needed = word_bytes + block.shape[0] * ((4 * dim + 2) if binary else (dim * 28 + 2))
            if out is None or out.size < needed:
                out = np.empty(needed, dtype=np.uint8)
            if binary:
                size = _format_binary_rows(pool, block_starts, block.view(np.uint8).reshape(block.shape[0], 4 * dim), out)
            else:
                size = _format_text_rows(pool, block_starts, block, out)
            if size < 0:
                block_words = [pool[block_starts[k]: block_starts[k + 1] - 1].tobytes() for k in range(block.shape[0])]
                handle.write(_slow_text_rows(block_words, block))
            else:
                handle.write(out[:size].data)


