"""Writing outputs: every file the toolkit writes goes through :func:`atomic_output`.

What happens depends on what the path names:

* a regular file or a new path: the data goes to a temporary file in the same
  folder, is flushed and fsynced, gets the mode a plain create would give (the
  umask respected; an existing file's mode and owner kept) and is renamed into
  place only when complete, so an interrupted or failed run never leaves a
  half-written file;
* a symbolic link: the link is followed to its final target, which is replaced as
  above; the link itself stays;
* ``-``, ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``: the data is written to that
  descriptor as a stream;
* a FIFO, a character or block device or a socket: the data is written straight
  through as a stream.

A temporary file is named ``.NAME.PID.XXXXXXXX.tmp`` and locked (``flock``) by its
writer while it lives; one left by a killed process (SIGKILL, a crash) is removed
by the next write of the same output, once its lock can be taken and its process
is gone (:func:`remove_stale`; the token folders of ``text/corpus.py`` too).

Nothing that is not a regular file is ever removed, replaced or renamed over. A
failed write raises :class:`~word2vec_cli.errors.Word2VecError` with one line naming
the path and the cause, and leaves no temporary file behind; a stream whose reader
went away raises ``BrokenPipeError`` (the command line exits 141 without a message,
as a tool killed by SIGPIPE does).
"""

import contextlib
import errno
import os
import shutil
import re
import socket
import stat
import sys
import tempfile

from ..errors import UsageError, Word2VecError
from .stdio import is_closed, stream_name

#: Paths that name an open descriptor of this process rather than a file.
_DESCRIPTOR_PATHS = {"-": 1, "/dev/stdout": 1, "/dev/stderr": 2, "/dev/stdin": 0}
_DESCRIPTOR_PATTERN = re.compile(r"^/(?:dev/fd|proc/self/fd)/(\d+)$")


def descriptor_of(path):
    """Return the descriptor number that ``path`` names (``-`` is 1, ``/dev/fd/N`` is N),
    or None for an ordinary path."""
    path = os.fspath(path)
    if path in _DESCRIPTOR_PATHS:
        return _DESCRIPTOR_PATHS[path]
    match = _DESCRIPTOR_PATTERN.match(path)
    return int(match.group(1)) if match else None


def _descriptor_behind_links(path, hops=40):
    """Return the descriptor that ``path`` names directly or through symbolic links
    (``out -> /dev/stdout``), or None.

    Such a path is written as the descriptor (at its offset, in append mode if the
    shell opened it so), never renamed over what the descriptor points at.
    """
    path = os.fspath(path)
    for _ in range(hops):
        fd = descriptor_of(path)
        if fd is not None or not os.path.islink(path):
            return fd
        try:
            path = os.path.join(os.path.dirname(path), os.readlink(path))
        except OSError:
            return None
    return None


def display_name(path):
    """Return ``path`` as messages show it (``-`` is "standard output")."""
    return "standard output" if os.fspath(path) == "-" else os.fspath(path)


def _kind(path):
    """Classify an output path; return ``(kind, target)``.

    ``kind`` is ``'descriptor'`` (target: the fd), ``'stream'`` (target: the path of a
    FIFO, device or socket) or ``'file'`` (target: the final path of the regular file
    to replace or create, symbolic links followed).
    """
    fd = _descriptor_behind_links(path)
    if fd is not None:
        return "descriptor", fd
    try:
        info = os.stat(path)  # follows links
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise Word2VecError(f"cannot write {path}: {exc.strerror or exc}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise Word2VecError(f"cannot write {path}: it is a directory")
    if info is not None and not stat.S_ISREG(info.st_mode):
        return "stream", path
    # a new path or a regular file; a (possibly dangling) link chain is followed
    return "file", os.path.realpath(path) if os.path.islink(path) or info is not None else path


def check_writable(path, what="output file"):
    """Raise :class:`Word2VecError` unless ``path`` can be written.

    For a file: checks that its folder exists and that a file can really be created
    in it (which also catches read-only file systems), so that a long training run
    is not wasted on an output it cannot write. A FIFO, device or socket is not
    opened (a FIFO would wait for its reader). Returns nothing.
    """
    path = os.fspath(path)
    kind, target = _kind(path)
    if kind == "descriptor":
        if is_closed(target):
            raise Word2VecError(f"{what} {path}: {stream_name(target)} is closed")
        try:
            os.fstat(target)
        except OSError as exc:
            raise Word2VecError(f"{what} {path}: {exc.strerror or exc}") from None
        return
    if kind == "stream":
        return
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise Word2VecError(f"folder of {what} does not exist: {folder}")
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-test.", dir=folder)
    except OSError:
        raise Word2VecError(f"folder of {what} is not writable: {folder}") from None
    os.close(fd)
    os.unlink(probe)
    if os.path.exists(target) and not os.access(target, os.W_OK):
        raise Word2VecError(f"{what} is not writable: {path}")


class _CheckedWriter:
    """A binary file wrapper whose failed writes raise one-line :class:`Word2VecError`."""

    def __init__(self, handle, name):
        self._handle = handle
        self.name = name

    def write(self, data):
        view = memoryview(data).cast("B")
        done = 0
        try:
            while done < len(view):  # a raw (unbuffered) stream may take only part
                written = self._handle.write(view[done:])
                if written is None or written <= 0:
                    raise OSError(errno.EIO, "the stream accepted no data")
                done += written
        except BrokenPipeError:
            raise  # the reader went away: the command line exits 141, like a tool killed by SIGPIPE
        except OSError as exc:
            raise write_error(self.name, exc) from None
        return done

    def flush(self):
        try:
            self._handle.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise write_error(self.name, exc) from None

    def writable(self):
        return True

    def seekable(self):
        return self._handle.seekable()

    def seek(self, offset, whence=0):
        """Move in a regular file (a writer that fills a header last needs it); on a
        stream this fails with one line naming the path."""
        try:
            return self._handle.seek(offset, whence)
        except OSError as exc:
            raise write_error(self.name, exc) from None


def write_error(name, exc):
    """Return the :class:`Word2VecError` for a failed write of ``name`` (an OSError)."""
    return Word2VecError(f"cannot write {name}: {getattr(exc, 'strerror', None) or exc}")


@contextlib.contextmanager
def atomic_output(path, mode="wb"):
    """Context manager yielding a binary file object that writes ``path`` safely.

    A regular file (or new path, or a link's final target) is replaced only when the
    block ends without an exception; a stream (``-``, a FIFO, a device, a socket) is
    written as the block goes. Write failures raise :class:`Word2VecError` naming
    ``path`` and no temporary file is left. ``mode`` must be binary (``"wb"``).
    """
    if mode != "wb":
        raise ValueError("atomic_output writes bytes: mode must be 'wb'")
    path = os.fspath(path)
    name = display_name(path)
    kind, target = _kind(path)
    if kind == "file":
        with _replacing(target, name) as handle:
            yield handle
        return
    handle = _open_stream(kind, target, name)
    try:
        writer = _CheckedWriter(handle, name)
        yield writer
        writer.flush()
    finally:
        with contextlib.suppress(OSError):
            handle.close()


def _open_stream(kind, target, name):
    """Open a descriptor, FIFO, device or socket for writing; return a binary file."""
    try:
        if kind == "descriptor":
            if is_closed(target):
                raise Word2VecError(f"cannot write {name}: {stream_name(target)} is closed")
            if target == 1:
                sys.stdout.flush()  # text already printed goes first
            return os.fdopen(os.dup(target), "wb")
        if stat.S_ISSOCK(os.stat(target).st_mode):
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(target)
            return client.makefile("wb")
        # no O_CREAT, no O_TRUNC: a node that vanished is not silently made a file
        return os.fdopen(os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)), "wb")
    except OSError as exc:
        raise write_error(name, exc) from None


def hold_lock(fd):
    """Lock the open file or folder ``fd`` (``flock``, exclusive) for as long as it is
    open: the mark of a live owner that :func:`remove_stale` respects. Returns nothing."""
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (ImportError, OSError):
        pass  # no locks here (another system, some network file systems): the pid still protects


def _process_is_gone(pid):
    if pid == os.getpid() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


def remove_stale(folder, pattern, is_dir=False):
    """Remove the entries of ``folder`` whose names match ``pattern`` (a compiled
    regular expression whose group 1 is the owner's pid) and that a dead process left:
    the pid names no process, the entry is ours (same user), of the expected kind
    (a folder with ``is_dir``, else a regular file, never a link), and its lock
    (:func:`hold_lock`) can be taken, so that no live process (a forked child
    holding the lock) still uses it. Never raises; returns the number removed.
    """
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    removed = 0
    for entry in names:
        match = pattern.match(entry)
        if not match or not _process_is_gone(int(match.group(1))):
            continue
        path = os.path.join(folder, entry)
        try:
            info = os.lstat(path)
            kind_ok = stat.S_ISDIR(info.st_mode) if is_dir else stat.S_ISREG(info.st_mode)
            if not kind_ok or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
                continue
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:
            pass
        except OSError:  # a live process holds it
            os.close(fd)
            continue
        try:
            if is_dir:
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
            removed += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _temporary_pattern(basename):
    """The names :func:`_replacing` gives the temporary files of ``basename``."""
    return re.compile(r"^\." + re.escape(basename) + r"\.(\d+)\.[a-z0-9_]{8}\.tmp$")


@contextlib.contextmanager
def _replacing(target, name):
    """Write a temporary file beside ``target`` and rename it over ``target`` on success."""
    folder = os.path.dirname(os.path.abspath(target))
    basename = os.path.basename(target)
    remove_stale(folder, _temporary_pattern(basename))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{basename}.{os.getpid()}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise write_error(name, exc) from None
    hold_lock(fd)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield _CheckedWriter(handle, name)
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                raise write_error(name, exc) from None
        try:
            _copy_permissions(target, tmp)
            os.replace(tmp, target)
        except OSError as exc:
            raise write_error(name, exc) from None
        _sync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _copy_permissions(target, tmp):
    """Give ``tmp`` the mode (and owner) of the file it replaces, or the mode a plain
    create would give (0666 less the umask). Returns nothing."""
    try:
        old = os.stat(target)
    except FileNotFoundError:
        os.chmod(tmp, 0o666 & ~current_umask())
        return
    if hasattr(os, "chown") and (old.st_uid, old.st_gid) != _owner(tmp):
        with contextlib.suppress(OSError):  # only root may give a file away
            os.chown(tmp, old.st_uid, old.st_gid)
    os.chmod(tmp, stat.S_IMODE(old.st_mode))


def _owner(path):
    info = os.stat(path)
    return info.st_uid, info.st_gid


def current_umask():
    """Return the process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_folder(folder):
    """Make the rename durable (best effort; some file systems refuse). Returns nothing."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- one file given twice -----------------------------------------------------------
# The reference opens its outputs with fopen(..., "wb"), so an output that is also an
# input destroys it; two outputs on one file keep only the last. Every command checks
# its paths with check_distinct before any work.


def _file_keys(path, output):
    """Return the set of keys under which ``path`` counts as one file.

    A descriptor (``-``, ``/dev/stdout``, ``/dev/fd/N``, a link to one of them) is
    keyed by its number; a regular file or a FIFO by device and inode (so links and
    hard links meet), whether named directly or behind a descriptor; a path that does
    not exist yet by its resolved folder and name. Character devices and sockets
    (``/dev/null``, a terminal, a socket handed as stdin and stdout) are keyed by
    descriptor only: writing to them twice destroys nothing.
    """
    path = os.fspath(path)
    keys = set()
    if output:
        fd = _descriptor_behind_links(path)
    else:
        fd = 0 if path == "-" else None
    try:
        info = os.fstat(fd) if fd is not None else os.stat(path)
    except (OSError, ValueError):
        info = None
    if fd is not None:
        keys.add(("descriptor", fd))
    if info is not None and (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        keys.add(("inode", info.st_dev, info.st_ino))
    elif info is None and fd is None:
        keys.add(("name", os.path.realpath(path)))
    return keys


def _shown(path, output):
    """Return how a clash message names ``path`` (``-`` as the stream it is)."""
    if os.fspath(path) == "-":
        return "standard output" if output else "standard input"
    return os.fspath(path)


def check_distinct(inputs=(), outputs=(), allowed=()):
    """Raise :class:`~word2vec_cli.errors.UsageError` when one file is named twice
    where that loses data: an output that is also an input, two outputs on one file,
    or standard input read twice.

    ``inputs`` and ``outputs`` are sequences of ``(flag, path)`` (a None or empty path
    is skipped); files are compared by device and inode where they exist (so a
    symbolic or hard link to an input is that input), by resolved folder and name
    where they do not yet, and ``-`` by the descriptor it names. ``allowed`` holds
    pairs of flags that may name one file (``("-checkpoint", "-resume")``: a run
    that goes on saving where it was read from). The message is one line naming both
    flags and the path. Returns nothing.
    """
    allowed = {frozenset(pair) for pair in allowed}
    seen = []  # (flag, path, keys, is_output)
    for paths, is_output in ((inputs, False), (outputs, True)):
        for flag, path in paths:
            if path is None or os.fspath(path) == "":
                continue
            keys = _file_keys(path, is_output)
            for other_flag, other_path, other_keys, other_is_output in seen:
                if not (keys & other_keys) or frozenset((flag, other_flag)) in allowed:
                    continue
                both_read = not (is_output or other_is_output)
                if both_read and ("descriptor", 0) not in keys & other_keys:
                    continue  # a file can be read twice; standard input cannot
                if both_read:
                    raise UsageError(f"{other_flag} and {flag} both read standard input, which can be "
                                     "read only once")
                names = [_shown(other_path, other_is_output), _shown(path, is_output)]
                shown = names[0] if names[0] == names[1] else " and ".join(names)
                raise UsageError(f"{other_flag} and {flag} are the same file: {shown}")
            seen.append((flag, path, keys, is_output))
