"""Opening inputs (plain, compressed or standard input) and writing outputs atomically.

Every output of the toolkit goes through :func:`atomic_output`: the data is written to
a temporary file in the target folder and renamed into place only when complete, so an
interrupted or failed run never leaves a half-written file behind.
"""

import bz2
import contextlib
import gzip
import lzma
import os
import sys
import tempfile

from .errors import Word2VecError

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


def check_writable(path, what="output file"):
    """Raise :class:`Word2VecError` unless a file can be created at ``path``.

    Checks that the folder exists and that a file can really be created in it (which
    also catches read-only file systems), so that a long training run is not wasted
    on an output it cannot write.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise Word2VecError(f"{what} is a directory: {path}")
    if not os.path.isdir(folder):
        raise Word2VecError(f"folder of {what} does not exist: {folder}")
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-test.", dir=folder)
    except OSError:
        raise Word2VecError(f"folder of {what} is not writable: {folder}") from None
    os.close(fd)
    os.unlink(probe)
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise Word2VecError(f"{what} is not writable: {path}")


@contextlib.contextmanager
def atomic_output(path, mode="wb"):
    """Context manager yielding a file that replaces ``path`` only on success.

    The file is created in the folder of ``path`` (so the final rename stays on one
    file system) and removed if the block raises. Yields the open file object.
    """
    path = os.fspath(path)
    check_writable(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
        if os.path.exists(path):
            # keep the permissions the user gave the file they are replacing
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
