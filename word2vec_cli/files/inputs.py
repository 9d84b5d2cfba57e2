"""Opening inputs: regular files, compressed files (``.gz``, ``.bz2``, ``.xz``) and
streams (``-``, ``/dev/stdin``, a FIFO, a process substitution ``<(...)``); a stream
whose first bytes are a gzip, bzip2 or xz header is decompressed.

A stream can be read only once. :func:`is_regular_file` tells the readers that need
a second look (pruning the vocabulary, ``word2phrase``'s two readings) whether they
may open the path again or must keep a copy of what they read (a spool).
"""

import bz2
import gzip
import lzma
import os
import stat
import sys
import zlib

from ..errors import Word2VecError
from .stdio import is_closed

#: Size of the blocks in which text inputs are streamed.
BLOCK_SIZE = 1 << 20

_DECOMPRESSORS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}

#: What a corrupt or truncated compressed stream raises, besides OSError.
_READ_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)


def is_stdin(path):
    """Return True when ``path`` names standard input (``-``)."""
    return str(path) == "-"


def display_name(path):
    """Return ``path`` as messages show it (``-`` is "standard input")."""
    return "standard input" if is_stdin(path) else os.fspath(path)


def is_regular_file(path):
    """Return True when ``path`` is a regular file (after following links), which can
    be read more than once; False for ``-``, a FIFO, a device, a socket or a missing path."""
    if is_stdin(path):
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def is_compressed(path):
    """Return True when ``path`` is read through a decompressor (by its suffix)."""
    return not is_stdin(path) and os.path.splitext(os.fspath(path))[1].lower() in _DECOMPRESSORS


def check_readable(path, what="input file"):
    """Raise :class:`Word2VecError` unless ``path`` can be read.

    A regular file must exist, be readable and not be empty. A stream (``-``, a
    FIFO, a device) is not opened here: a FIFO would wait for its writer, and its
    emptiness shows only when it is read. Returns nothing.
    """
    if is_stdin(path):
        if is_closed(0):
            raise Word2VecError(f"{what} -: standard input is closed")
        return
    path = os.fspath(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise Word2VecError(f"{what} not found: {path}") from None
    except OSError as exc:
        raise Word2VecError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise Word2VecError(f"{what} is a directory: {path}")
    if not os.access(path, os.R_OK):
        raise Word2VecError(f"{what} is not readable: {path}")
    if stat.S_ISREG(info.st_mode) and info.st_size == 0:
        raise Word2VecError(f"{what} is empty: {path}")


def open_input(path):
    """Open ``path`` for binary reading, decompressing ``.gz``, ``.bz2`` and ``.xz``.

    ``-`` reads standard input. Returns a file object (``read``, ``readinto``,
    ``with``) whose read errors, a corrupt compressed stream included, raise
    :class:`Word2VecError` naming the path; the caller closes it (standard input
    itself is never closed).
    """
    if is_stdin(path):
        if is_closed(0):
            raise Word2VecError("cannot read -: standard input is closed")
        stream = sys.stdin.buffer
        decompressed = _sniff(stream, "standard input")
        if decompressed is not None:  # closing it leaves standard input open
            return _CheckedReader(decompressed, "standard input")
        return _CheckedReader(stream, "standard input", close=False)
    path = os.fspath(path)
    check_readable(path)
    opener = _DECOMPRESSORS.get(os.path.splitext(path)[1].lower(), None)
    try:
        stream = opener(path, "rb") if opener else open(path, "rb")
    except OSError as exc:
        raise Word2VecError(f"cannot open {path}: {exc.strerror or exc}") from None
    if opener is None and not is_regular_file(path):
        decompressed = _sniff(stream, path)
        if decompressed is not None:
            return _CheckedReader(decompressed, path, also_close=stream)
    return _CheckedReader(stream, path)


def _sniff(stream, name):
    """Return a decompressing reader over the stream ``stream`` when its first bytes
    are a gzip, bzip2 or xz header, else None (nothing is consumed: the header is
    peeked). A stream has no suffix to go by (``zcat`` is then unnecessary)."""
    peek = getattr(stream, "peek", None)
    if peek is None:
        return None
    try:
        head = peek(10)[:10]
    except _READ_ERRORS as exc:
        raise read_error(name, exc) from None
    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if (len(head) == 10 and head.startswith(b"BZh") and head[3:4] in b"123456789"
            and head[4:] in (b"\x31\x41\x59\x26\x53\x59", b"\x17\x72\x45\x38\x50\x90")):
        return bz2.BZ2File(stream, mode="rb")
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(stream, mode="rb")
    return None


def iter_blocks(path, block_size=BLOCK_SIZE):
    """Yield the bytes of ``path`` (see :func:`open_input`) in blocks of ``block_size``.

    Memory stays bounded by the block size whatever the file's line structure.
    """
    with open_input(path) as stream:
        while True:
            block = stream.read(block_size)
            if not block:
                return
            yield block


def read_error(name, exc):
    """Return the :class:`Word2VecError` for a failed read of ``name``."""
    if isinstance(exc, (EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile)):
        return Word2VecError(f"cannot read {name}: corrupt or truncated compressed data ({exc})")
    return Word2VecError(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}")


def iter_range_blocks(path, begin, end, block_size=BLOCK_SIZE):
    """Yield the bytes ``[begin, end)`` of the plain file ``path`` in blocks of
    ``block_size`` (a worker's part of a shared corpus; no decompression)."""
    try:
        with open(os.fspath(path), "rb") as stream:
            stream.seek(begin)
            left = end - begin
            while left > 0:
                block = stream.read(min(block_size, left))
                if not block:
                    return
                left -= len(block)
                yield block
    except OSError as exc:
        raise Word2VecError(f"cannot read {path}: {exc.strerror or exc}") from None


class _CheckedReader:
    """Wraps a binary stream: read errors become one-line :class:`Word2VecError`."""

    def __init__(self, stream, name, close=True, also_close=None):
        self._stream = stream
        self.name = name
        self._close = close
        self._also_close = also_close  # the file under a decompressor that does not own it

    def read(self, size=-1):
        try:
            return self._stream.read(size)
        except _READ_ERRORS as exc:
            raise read_error(self.name, exc) from None

    def readinto(self, buffer):
        try:
            readinto = getattr(self._stream, "readinto", None)
            if readinto is not None:
                return readinto(buffer)
            data = self._stream.read(len(buffer))
            buffer[: len(data)] = data
            return len(data)
        except _READ_ERRORS as exc:
            raise read_error(self.name, exc) from None

    def close(self):
        if self._close:
            try:
                self._stream.close()
            finally:
                if self._also_close is not None:
                    self._also_close.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
