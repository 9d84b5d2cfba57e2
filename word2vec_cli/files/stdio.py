"""The process's standard streams, made safe for a command-line run.

A shell may start us with a standard stream closed (``2>&-``) or hand us one that
breaks half-way (``2>&1 | head -1``). :func:`guard_standard_streams` (called by the
command line only, never by the library) makes sure that

* a closed descriptor 0, 1 or 2 is re-opened on ``/dev/null``, so that no file we
  open later takes its number (a stray write to "stderr" would land in it), and it
  is remembered in :data:`CLOSED` so that reading ``-`` or writing ``-`` can fail
  with a clear message instead of reading or writing nothing;
* diagnostics on stderr never stop a run: once stderr fails, further messages are
  dropped and the run goes on to write its outputs (its exit status still says
  whether it succeeded).
"""

import errno
import os
import sys

#: Descriptors among 0, 1, 2 that were closed when the process started.
CLOSED = set()

_NAMES = {0: "standard input", 1: "standard output", 2: "standard error"}


def stream_name(fd):
    """Return how messages name descriptor ``fd`` ("standard output", or "descriptor N")."""
    return _NAMES.get(fd, f"descriptor {fd}")


def is_closed(fd):
    """Return True when standard descriptor ``fd`` was closed when the process started."""
    return fd in CLOSED


def guard_standard_streams():
    """Re-open closed standard descriptors on ``/dev/null`` and make stderr unbreakable.

    Safe to call more than once. Returns nothing.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                null = os.open(os.devnull, os.O_RDWR)
            except OSError:
                continue
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            CLOSED.add(fd)
    if 0 in CLOSED:
        sys.stdin = _ClosedStream(0)
    if 1 in CLOSED:
        sys.stdout = _ClosedStream(1)
    if not isinstance(sys.stderr, _Diagnostics):
        sys.stderr = _Diagnostics(None if 2 in CLOSED else sys.stderr)


class _Diagnostics:
    """A text stream for messages that swallows its own failures.

    The first failed write (a reader that went away, a full disk) turns the stream
    into a sink; the run itself is not disturbed.
    """

    def __init__(self, stream):
        self._stream = stream

    @property
    def broken(self):
        """True once writing failed (or stderr was closed from the start)."""
        return self._stream is None

    def write(self, text):
        if self._stream is not None:
            try:
                self._stream.write(text)
                return len(text)
            except (OSError, ValueError):
                self._give_up()
        return len(text)

    def flush(self):
        if self._stream is not None:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self._give_up()

    def _give_up(self):
        self._stream = None
        try:  # later writes by C code or at exit go nowhere instead of failing
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 2)
            os.close(null)
        except OSError:
            pass

    def isatty(self):
        try:
            return self._stream is not None and self._stream.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self):
        return 2

    def __getattr__(self, name):
        if self._stream is None:
            raise AttributeError(name)
        return getattr(self._stream, name)


class _ClosedStream:
    """Stands for a standard stream that was closed when the process started:
    every read or write raises ``OSError(EBADF)`` naming it."""

    def __init__(self, fd):
        self._fd = fd
        self.buffer = self

    def _fail(self, *args, **kwargs):
        raise OSError(errno.EBADF, f"{stream_name(self._fd)} is closed")

    read = readline = readinto = write = _fail

    def flush(self):
        pass

    def isatty(self):
        return False

    def fileno(self):
        return self._fd

    def __iter__(self):
        self._fail()
