"""Writing outputs: every file the toolkit writes goes through :func:`atomic_output`.

The data is written to a temporary file in the target folder and renamed into place
only when complete, so an interrupted or failed run never leaves a half-written file.
"""

import contextlib
import os
import tempfile

from ..errors import Word2VecError


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
