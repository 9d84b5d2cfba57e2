"""Opening inputs: plain, compressed (``.gz``, ``.bz2``, ``.xz``) or standard input."""

import bz2
import gzip
import lzma
import os
import sys

from ..errors import Word2VecError

#: Size of the blocks in which text inputs are streamed.
BLOCK_SIZE = 1 << 20

_DECOMPRESSORS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def is_stdin(path):
    """Return True when ``path`` names standard input (``-``)."""
    return str(path) == "-"


def check_readable(path, what="input file"):
    """Raise :class:`Word2VecError` unless ``path`` is a readable, non-empty file.

    Standard input (``-``) is always accepted. Returns nothing.
    """
    if is_stdin(path):
        return
    path = os.fspath(path)
    if not os.path.exists(path):
        raise Word2VecError(f"{what} not found: {path}")
    if os.path.isdir(path):
        raise Word2VecError(f"{what} is a directory: {path}")
    if not os.access(path, os.R_OK):
        raise Word2VecError(f"{what} is not readable: {path}")
    if os.path.getsize(path) == 0:
        raise Word2VecError(f"{what} is empty: {path}")


def open_input(path):
    """Open ``path`` for binary reading, decompressing ``.gz``, ``.bz2`` and ``.xz``.

    ``-`` returns standard input's binary buffer. Returns a file object; the caller
    closes it (closing standard input's buffer is avoided by the wrapper).
    """
    if is_stdin(path):
        return _NonClosing(sys.stdin.buffer)
    path = os.fspath(path)
    check_readable(path)
    opener = _DECOMPRESSORS.get(os.path.splitext(path)[1].lower(), None)
    try:
        return opener(path, "rb") if opener else open(path, "rb")
    except OSError as exc:
        raise Word2VecError(f"cannot open {path}: {exc.strerror or exc}") from None


def iter_blocks(path, block_size=BLOCK_SIZE):
    """Yield the bytes of ``path`` (see :func:`open_input`) in blocks of ``block_size``.

    Memory stays bounded by the block size whatever the file's line structure.
    """
    with open_input(path) as stream:
        while True:
            try:
                block = stream.read(block_size)
            except (OSError, EOFError, lzma.LZMAError) as exc:
                raise Word2VecError(f"cannot read {path}: {exc}") from None
            if not block:
                return
            yield block


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


def is_compressed(path):
    """Return True when ``path`` is read through a decompressor (by its extension)."""
    return os.path.splitext(os.fspath(path))[1].lower() in _DECOMPRESSORS


class _NonClosing:
    """Wraps a stream so that ``with`` does not close it (used for stdin)."""

    def __init__(self, stream):
        self._stream = stream

    def read(self, size=-1):
        return self._stream.read(size)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


