"""Reading vector files: the reference's text and binary formats and gensim's
variants, detected from the file.

Reading goes through small numba kernels that work on large blocks of bytes: there
is no Python-level loop over numbers, so a 1,000,000 x 300 binary file loads in
about a second.
"""

import os
import re
import sys

import numpy as np
from numba import njit

from ..errors import Word2VecError
from ..files.inputs import check_readable, is_compressed, is_regular_file, open_input
from .checks import check_finite, check_size, grown_matrix, least_bytes
from .npy import load_npy
from .words import FORMATS, WordVectors, _decode_joined

#: Bytes read from a vector file at a time (the block grows for huge records).
READ_BLOCK = 1 << 26

#: Longest word accepted in a binary file; a longer one means a corrupt file (or
#: a header whose dimension does not match the records).
MAX_WORD_BYTES = 10_000

# status codes returned by the kernels
_OK = 0
_NEED_MORE = 1
_TRUNCATED = 2
_WORD_TOO_LONG = 3
_NO_NEWLINE = 4
_BAD_COUNT = 5
_NEEDS_PYTHON = 6

_POWERS_OF_TEN = np.array([float(10 ** k) for k in range(23)], dtype=np.float64)

#: A number as C's ``strtod`` reads a decimal one (float() would also take ``1_000``
#: and surrounding spaces); NaN and infinities are recognised to be refused by name.
_DECIMAL = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NON_FINITE = re.compile(rb"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)



@njit(cache=True, nogil=True)
def _read_binary_records(buf, n_bytes, at_eof, matrix_bytes, row, n_rows, pool, max_word, newline_after):
    """Copy whole binary records from ``buf[:n_bytes]`` into ``matrix_bytes`` rows.

    A record is ``word`` (leading newlines skipped, ends at the first space), a
    space, then ``matrix_bytes.shape[1]`` bytes of floats. Each word is appended to
    ``pool`` followed by a space. With ``newline_after`` every record must be
    followed by ``\\n`` (the reference's layout, decided from the first record).
    Returns (next row, bytes consumed, pool bytes used, status).
    """
    record_bytes = matrix_bytes.shape[1]
    pos = 0
    used = 0
    while row < n_rows:
        start = pos
        while start < n_bytes and buf[start] == 10:
            start += 1
        end = start
        stop = min(n_bytes, start + max_word + 1)
        while end < stop and buf[end] != 32:
            end += 1
        if end == stop:
            if stop < n_bytes:
                return row, pos, used, _WORD_TOO_LONG
            return row, pos, used, _TRUNCATED if at_eof else _NEED_MORE
        floats_end = end + 1 + record_bytes
        if floats_end > n_bytes:
            return row, pos, used, _TRUNCATED if at_eof else _NEED_MORE
        if newline_after and row + 1 < n_rows:
            if floats_end == n_bytes:
                return row, pos, used, _TRUNCATED if at_eof else _NEED_MORE
            if buf[floats_end] != 10:
                return row, pos, used, _NO_NEWLINE
        for k in range(start, end):
            pool[used] = buf[k]
            used += 1
        pool[used] = 32
        used += 1
        # an explicit loop: numba compiles it to a memcpy-speed copy, the slice
        # assignment is several times slower
        source = end + 1
        for k in range(record_bytes):
            matrix_bytes[row, k] = buf[source + k]
        pos = floats_end
        row += 1
    return row, pos, used, _OK


@njit(cache=True, nogil=True)
def _parse_number(buf, start, end, powers):
    """Parse ``buf[start:end]`` as a decimal number the way Python's float() would.

    Returns (value as float32, ok). ``ok`` is False when the token is not a plain
    decimal number whose value is exact in the fast path (more than 19 significant
    digits, exponents beyond 10**22, nan, inf, or not a number at all): the caller
    then parses the line in Python.
    """
    pos = start
    negative = False
    if pos < end and (buf[pos] == 45 or buf[pos] == 43):
        negative = buf[pos] == 45
        pos += 1
    mantissa = np.int64(0)
    digits = 0
    significant = 0
    exponent = 0
    fraction = False  # past the decimal point: each digit lowers the exponent
    while pos < end:
        if buf[pos] == 46 and not fraction:
            fraction = True
            pos += 1
            continue
        if not 48 <= buf[pos] <= 57:
            break
        if significant > 0 or buf[pos] != 48:
            if significant >= 18:
                return np.float32(0.0), False
            mantissa = mantissa * 10 + (buf[pos] - 48)
            significant += 1
        if fraction:
            exponent -= 1
        digits += 1
        pos += 1
    if digits == 0:
        return np.float32(0.0), False
    if pos < end and (buf[pos] == 101 or buf[pos] == 69):
        pos += 1
        exp_negative = False
        if pos < end and (buf[pos] == 45 or buf[pos] == 43):
            exp_negative = buf[pos] == 45
            pos += 1
        exp_digits = 0
        exp_value = 0
        while pos < end and 48 <= buf[pos] <= 57:
            if exp_value < 100000:
                exp_value = exp_value * 10 + (buf[pos] - 48)
            exp_digits += 1
            pos += 1
        if exp_digits == 0:
            return np.float32(0.0), False
        exponent += -exp_value if exp_negative else exp_value
    if pos != end:
        return np.float32(0.0), False
    if mantissa == 0:
        return np.float32(-0.0) if negative else np.float32(0.0), True
    # mantissa <= 2**53 and 10**|exponent| <= 10**22 are exact doubles, so one IEEE operation rounds correctly, as
    # float() does; the cast to float32 then matches np.float32(float(token))
    if exponent > 22 or exponent < -22 or mantissa > 9007199254740992:
        return np.float32(0.0), False
    value = np.float64(mantissa)
    if exponent >= 0:
        value = value * powers[exponent]
    else:
        value = value / powers[-exponent]
    if negative:
        value = -value
    return np.float32(value), True


@njit(cache=True, nogil=True)
def _read_text_records(buf, n_bytes, at_eof, matrix, row, n_rows, pool, powers):
    """Parse whole text lines from ``buf[:n_bytes]`` into ``matrix`` rows.

    A line is ``word`` (up to the first space) then numbers separated by spaces or
    tabs; ``\\r`` before the newline is ignored. Each word is appended to ``pool``
    followed by a space. Stops at the first line that needs attention.
    Returns (next row, bytes consumed, pool bytes used, status, numbers found on
    the line that stopped the scan, byte offset of the end of that line).
    """
    dim = matrix.shape[1]
    pos = 0
    used = 0
    while row < n_rows:
        eol = pos
        while eol < n_bytes and buf[eol] != 10:
            eol += 1
        if eol == n_bytes and not at_eof:
            return row, pos, used, _NEED_MORE, 0, eol
        if eol == n_bytes and pos == n_bytes:
            return row, pos, used, _TRUNCATED, 0, eol
        line_end = eol
        while line_end > pos and buf[line_end - 1] == 13:
            line_end -= 1
        word_end = pos
        while word_end < line_end and buf[word_end] != 32:
            word_end += 1
        count = 0
        k = word_end
        while k < line_end:
            while k < line_end and (buf[k] == 32 or buf[k] == 9 or buf[k] == 13):
                k += 1
            if k == line_end:
                break
            token_end = k
            while token_end < line_end and not (buf[token_end] == 32 or buf[token_end] == 9 or buf[token_end] == 13):
                token_end += 1
            if count < dim:
                value, ok = _parse_number(buf, k, token_end, powers)
                if not ok:
                    return row, pos, used, _NEEDS_PYTHON, count, eol
                matrix[row, count] = value
            count += 1
            k = token_end
        if count != dim:
            return row, pos, used, _BAD_COUNT, count, eol
        for j in range(pos, word_end):
            pool[used] = buf[j]
            used += 1
        pool[used] = 32
        used += 1
        row += 1
        pos = min(eol + 1, n_bytes)
    return row, pos, used, _OK, 0, pos


class _BlockReader:
    """Reads a file in large blocks, keeping the unconsumed tail of the last one."""

    def __init__(self, stream, block_size):
        self.stream = stream
        self.buf = np.empty(block_size, dtype=np.uint8)
        self.filled = 0
        self.at_eof = False
        self.offset = 0  # file offset of buf[0]

    def consume(self, n):
        """Drop the first ``n`` bytes of the buffer (they have been parsed)."""
        if n:
            self.buf[: self.filled - n] = self.buf[n: self.filled].copy()
            self.filled -= n
            self.offset += n

    def fill(self, minimum=0):
        """Read until the buffer is full or at end of file; while the data keeps coming,
        grow the buffer (doubling) up to ``minimum`` bytes.

        The buffer grows only when full, so a header that announces absurd sizes
        costs at most twice the bytes the file really holds.
        """
        view = memoryview(self.buf)
        while not self.at_eof:
            if self.filled == self.buf.size:
                if self.buf.size >= minimum:
                    return
                bigger = np.empty(min(minimum, 2 * self.buf.size), dtype=np.uint8)
                bigger[: self.filled] = self.buf[: self.filled]
                self.buf = bigger
                view = memoryview(self.buf)
            got = self.stream.readinto(view[self.filled:])
            if not got:
                self.at_eof = True
            else:
                self.filled += got


def _parse_header(reader, path):
    """Read the ``"V D"`` line; return (words, dim, bytes of the header line)."""
    reader.fill()
    head = reader.buf[: min(reader.filled, 1024)].tobytes()
    newline = head.find(b"\n")
    line = head if newline < 0 else head[:newline]
    fields = line.split()
    if len(fields) != 2 or not all(f.isdigit() and int(f) > 0 for f in fields):
        shown = line[:60].decode("utf-8", "backslashreplace")
        raise Word2VecError(
            f"{path}, line 1: header must be two positive integers 'words dimensions', found '{shown}'"
        )
    if newline < 0:
        raise Word2VecError(f"{path}, line 1: no records after the header")
    return int(fields[0]), int(fields[1]), newline + 1


def _looks_like_text(first, dim):
    """Guess the format from the bytes after the header; return True for text.

    Text when the first record's line holds ``dim`` numbers; also text when that
    line is printable ASCII with several space-separated fields (a text file with a
    bad first record, so that the error names the line). Otherwise binary.
    """
    start = 0
    while start < len(first) and first[start:start + 1] == b"\n":
        start += 1
    newline = first.find(b"\n", start)
    line = first[start:] if newline < 0 else first[start:newline]
    space = line.find(b" ")
    if space < 0:
        return False
    rest = line[space + 1:].rstrip(b"\r")
    fields = rest.split()
    if len(fields) == dim:
        try:
            [float(f) for f in fields]
            return True
        except ValueError:
            pass
    printable = all(32 <= byte < 127 or byte in (9, 13) for byte in rest)
    return printable and len(fields) > 1 and any(48 <= byte <= 57 for byte in rest)


def load(path, format=None, limit=None):
    """Read a vector file written by the reference toolkit, gensim or :func:`save_vectors`.

    Parameters
    ----------
    path : str or os.PathLike
        The file (``.gz``, ``.bz2``, ``.xz`` are decompressed; a ``.npy`` file is
        read with its ``.vocab`` sibling).
    format : {'text', 'binary', 'npy', None}
        Forces a format; by default it is detected from the file itself.
    limit : int, optional
        Read only the first ``limit`` words (None or 0: all).

    Returns
    -------
    WordVectors

    Raises
    ------
    Word2VecError
        With a one-line message naming the file and the line (text) or record
        (binary) when the file is missing, empty, truncated or corrupt.
    """
    path = os.fspath(path)
    if limit is not None and limit < 0:
        raise ValueError("limit must be >= 0")
    if format not in (None,) + FORMATS:
        raise ValueError(f"unknown vector format {format!r}; use one of {', '.join(FORMATS)}")
    if format == "npy" or (format is None and path.endswith(".npy")):
        return load_npy(path, limit=limit)
    check_readable(path, "vector file")
    plain = is_regular_file(path) and not is_compressed(path)
    with open_input(path) as stream:
        reader = _BlockReader(stream, READ_BLOCK)
        words, dim, header_bytes = _parse_header(reader, path)
        n_rows = min(words, limit) if limit else words
        reader.consume(header_bytes)
        if format is None:
            binary = not _looks_like_text(reader.buf[: min(reader.filled, 1 << 20)].tobytes(), dim)
        else:
            binary = format == "binary"
        if plain:
            data_bytes = os.path.getsize(path) - header_bytes
        else:  # compressed or a stream: the size shows only as the data arrives
            reader.fill(least_bytes(1, dim, binary))
            data_bytes = reader.filled if reader.at_eof else None
        check_size(path, n_rows, dim, binary, data_bytes)
        # without a known size the matrix grows with the rows really read
        capacity = n_rows if data_bytes is not None else min(n_rows, max(1, READ_BLOCK // (4 * dim)))
        matrix = np.empty((capacity, dim), dtype=np.float32)
        if binary:
            word_list, matrix = _load_binary(reader, path, matrix, n_rows)
        else:
            word_list, matrix = _load_text(reader, path, matrix, n_rows)
        if not limit:
            _check_nothing_follows(reader, path, n_rows, binary)
    if sys.byteorder == "big" and binary:
        matrix.byteswap(inplace=True)
    if binary:
        check_finite(matrix, path)
    return WordVectors(word_list, matrix, _trusted=True)


def _check_nothing_follows(reader, path, n_rows, binary):
    """Raise Word2VecError when more than whitespace follows the last record (a
    header whose dimension is too small, for gensim-style binaries). Returns nothing."""
    reader.fill()
    if reader.buf[: reader.filled].tobytes().strip():
        where = f"record {n_rows + 1}" if binary else f"line {n_rows + 2}"
        raise Word2VecError(f"{path}, {where}: data after the {n_rows} words announced in the header "
                            "(wrong word count or dimension in the header?)")


def _load_binary(reader, path, matrix, n_rows):
    """Fill ``matrix`` (grown as needed up to ``n_rows``) from binary records; return
    ``(words, matrix)``."""
    dim = matrix.shape[1]
    matrix_bytes = matrix.view(np.uint8).reshape(matrix.shape[0], 4 * dim)
    record_bytes = 4 * dim
    # the reference ends every record with a newline, gensim never does; whatever
    # the first record does, all must do (else the header's dimension is wrong)
    reader.fill(record_bytes + MAX_WORD_BYTES + 2)
    first = reader.buf[: reader.filled]
    skip = 0
    while skip < first.size and first[skip] == 10:
        skip += 1
    space = np.flatnonzero(first[skip: skip + MAX_WORD_BYTES + 1] == 32)
    after = skip + (int(space[0]) if space.size else 0) + 1 + record_bytes
    newline_after = bool(space.size) and after < first.size and first[after] == 10
    words, row = [], 0
    while row < n_rows:
        if row == matrix.shape[0]:
            matrix = grown_matrix(matrix, n_rows)
            matrix_bytes = matrix.view(np.uint8).reshape(matrix.shape[0], 4 * dim)
        reader.fill(record_bytes + MAX_WORD_BYTES + 2)
        pool = np.empty(reader.filled + 1, dtype=np.uint8)
        row, consumed, used, status = _read_binary_records(
            reader.buf, reader.filled, reader.at_eof, matrix_bytes, row, matrix.shape[0], pool,
            MAX_WORD_BYTES, newline_after,
        )
        words.extend(_decode_joined(pool, used))
        reader.consume(consumed)
        if status == _NEED_MORE and consumed == 0 and reader.filled == reader.buf.size:
            reader.fill(2 * reader.buf.size)  # leading newlines filled the block
        elif status == _TRUNCATED:
            if not reader.buf[: reader.filled].tobytes().strip(b"\n"):
                raise Word2VecError(f"{path}, record {row + 1}: file ends after {row} of the {n_rows} records "
                                    "announced in the header")
            raise Word2VecError(f"{path}, record {row + 1}: truncated record (file ends inside it; "
                                f"{n_rows} records of {dim} floats announced)")
        elif status == _WORD_TOO_LONG:
            raise Word2VecError(f"{path}, record {row + 1}: no space after the word within {MAX_WORD_BYTES} bytes "
                                "(corrupt file or wrong dimension in the header)")
        elif status == _NO_NEWLINE:
            raise Word2VecError(f"{path}, record {row + 1}: no newline after {dim} floats "
                                "(corrupt file or wrong dimension in the header)")
    return words, matrix


def _load_text(reader, path, matrix, n_rows):
    """Fill ``matrix`` (grown as needed up to ``n_rows``) from text lines; return
    ``(words, matrix)``."""
    dim = matrix.shape[1]
    words, row = [], 0
    while row < n_rows:
        if row == matrix.shape[0]:
            matrix = grown_matrix(matrix, n_rows)
        reader.fill()
        pool = np.empty(reader.filled + 1, dtype=np.uint8)
        row, consumed, used, status, count, line_end = _read_text_records(
            reader.buf, reader.filled, reader.at_eof, matrix, row, matrix.shape[0], pool, _POWERS_OF_TEN
        )
        words.extend(_decode_joined(pool, used))
        full = reader.filled == reader.buf.size
        reader.consume(consumed)
        line_end -= consumed
        line_number = row + 2
        if status == _NEED_MORE and consumed == 0 and full:
            reader.fill(2 * reader.buf.size)  # a line longer than the block
        elif status == _TRUNCATED or (status == _BAD_COUNT and reader.at_eof
                                      and not reader.buf[: reader.filled].tobytes().strip()):
            raise Word2VecError(f"{path}, line {line_number}: file ends after {row} of the {n_rows} words "
                                "announced in the header")
        elif status == _BAD_COUNT:
            raise Word2VecError(f"{path}, line {line_number}: expected {dim} numbers after the word, found {count}")
        elif status == _NEEDS_PYTHON:
            # a rare token (nan, inf, a long mantissa) or not a number at all
            line = reader.buf[:line_end].tobytes().rstrip(b"\r")
            word, _, rest = line.partition(b" ")
            fields = rest.split()
            if len(fields) != dim:
                raise Word2VecError(f"{path}, line {line_number}: expected {dim} numbers after the word, "
                                    f"found {len(fields)}")
            for column, field in enumerate(fields):
                try:
                    if not (_DECIMAL.fullmatch(field) or _NON_FINITE.fullmatch(field)):
                        raise ValueError(field)
                    with np.errstate(over="ignore"):  # a value beyond float32 is refused below
                        matrix[row, column] = float(field)
                except ValueError:
                    shown = field[:40].decode("utf-8", "backslashreplace")
                    raise Word2VecError(f"{path}, line {line_number}: '{shown}' is not a number") from None
                if not np.isfinite(matrix[row, column]):
                    shown = field[:40].decode("utf-8", "backslashreplace")
                    raise Word2VecError(f"{path}, line {line_number}: '{shown}' is not a finite float32 "
                                        "(NaN and infinite values are refused)")
            words.append(word.decode("utf-8", "surrogateescape"))
            row += 1
            reader.consume(min(line_end + 1, reader.filled))
    return words, matrix


