"""Running a click command so that every failure is one line on stderr.

Click's own usage errors, our :class:`~word2vec_cli.errors.Word2VecError`, Ctrl-C,
SIGTERM, a closed pipe and operating-system errors all end here: a single line
``PROG: error: message`` (or ``PROG: message`` for usage errors) and an exit status
(2 usage, 1 other errors, 130 interrupted, 143 terminated, 129 hung up, 141 when the reader of
standard output went away), never a traceback and never 0 for an unfinished run.
"""

import errno
import os
import signal
import sys
import threading

import click

try:  # imported now: once memory has run out, an import may fail too
    import resource
except ImportError:  # not on every platform
    resource = None

from ..errors import Word2VecError
from ..files.stdio import guard_standard_streams

#: Exit statuses of a run stopped by SIGINT (Ctrl-C), SIGTERM and SIGPIPE: 128 + signal.
INTERRUPTED, TERMINATED, BROKEN_PIPE = 130, 143, 141
#: SIGHUP (a closed terminal, a dropped ssh session) takes SIGTERM's path, status 129.
HUNG_UP = 129


class Terminated(KeyboardInterrupt):
    """Raised in the main thread by SIGTERM; it takes Ctrl-C's path (the training
    threads are stopped and joined, temporary files removed, nothing written)."""


_terminated = threading.Event()


_hung_up = threading.Event()


def _on_sigterm(signum, frame):
    if signum == getattr(signal, "SIGHUP", None):
        _hung_up.set()
    _terminated.set()
    raise Terminated()


def _terminated_status():
    return HUNG_UP if _hung_up.is_set() else TERMINATED


def install_signal_handlers():
    """Make SIGTERM and SIGHUP behave like Ctrl-C (exit status 143 and 129 instead
    of 130); a SIGHUP ignored when we started (``nohup``) stays ignored.

    Only the command line calls this, from the main thread. Returns nothing.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)
        if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) != signal.SIG_IGN:
            signal.signal(signal.SIGHUP, _on_sigterm)


def fail(prog, message, status):
    """Print ``prog: message`` on one line of stderr and return ``status``."""
    message = " ".join(str(message).split())
    try:
        print(f"{prog}: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr is gone: the status still tells
        pass
    return status


def run_command(command, args, prog):
    """Run the click ``command`` on ``args`` as program ``prog``; return the exit status."""
    guard_standard_streams()
    install_signal_handlers()
    status = _run(command, args, prog)
    if status == INTERRUPTED and _terminated.is_set():
        return _terminated_status()
    return status


def _run(command, args, prog):
    try:
        result = command.main(args=list(args), prog_name=prog, standalone_mode=False)
        status = result if isinstance(result, int) else 0
        _flush_stdout()
        return status
    except click.exceptions.NoSuchOption as exc:
        typed = _typed_flag(exc.option_name, args)
        return fail(prog, f"unknown flag {typed}{_did_you_mean(typed, exc.ctx)} (see '{prog} --help')", 2)
    except click.exceptions.UsageError as exc:
        return fail(prog, exc.format_message(), 2)
    except click.exceptions.Abort:
        return _interrupted(prog)
    except click.ClickException as exc:
        return fail(prog, f"error: {exc.format_message()}", exc.exit_code)
    except Word2VecError as exc:
        if exc.exit_code == INTERRUPTED and _terminated.is_set():
            return fail(prog, f"{exc}".replace("interrupted", "terminated", 1), _terminated_status())
        prefix = "" if exc.exit_code in (2, INTERRUPTED) else "error: "
        return fail(prog, f"{prefix}{exc}", exc.exit_code)
    except KeyboardInterrupt:
        return _interrupted(prog)
    except SystemExit:
        if type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):
            # click's answer to EPIPE: sys.exit(1) with muted streams; ours is 141
            sys.stdout = sys.stdout.wrapped
            sys.stderr = sys.stderr.wrapped
            return _reader_went_away()
        raise
    except BrokenPipeError:
        return _reader_went_away()
    except MemoryError:
        return fail(prog, _not_enough_memory(), 1)
    except (ImportError, SystemError):
        # under `ulimit -v` a library's mmap fails and surfaces as a failed import
        if _address_space_limit() is None:
            raise
        return fail(prog, _not_enough_memory(), 1)
    except RuntimeError as exc:
        if "start new thread" not in str(exc):
            raise
        if _address_space_limit() is None:
            return fail(prog, f"error: cannot start a thread: {exc}", 1)
        return fail(prog, _not_enough_memory(), 1)  # a thread's stack is address space too
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            return _reader_went_away()
        if exc.errno == errno.ENOMEM or ("shared object" in str(exc) and _address_space_limit() is not None):
            return fail(prog, _not_enough_memory(), 1)  # llvmlite's message blames a missing library
        where = f"{exc.filename}: " if exc.filename else ""
        return fail(prog, f"error: {where}{exc.strerror or exc}", 1)


def _address_space_limit():
    """Return the soft limit on the address space (``ulimit -v``) in bytes, or None."""
    if resource is None:
        return None
    try:
        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (OSError, ValueError, AttributeError):
        return None
    return None if soft == resource.RLIM_INFINITY else soft


def _not_enough_memory():
    """Return the one-line message for memory that ran out, naming an address-space limit."""
    limit = _address_space_limit()
    if limit is None:
        return "error: not enough memory"
    return f"error: not enough memory (address space limit {limit >> 20} MB: ulimit -v?)"


def _interrupted(prog):
    if _terminated.is_set():
        return fail(prog, "terminated", _terminated_status())
    return fail(prog, "interrupted", INTERRUPTED)


def _flush_stdout():
    """Flush standard output now, so that a failure is reported rather than lost at exit."""
    try:
        sys.stdout.flush()
    except (ValueError, AttributeError):
        return
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise
        raise Word2VecError(f"cannot write standard output: {exc.strerror or exc}") from None


def _reader_went_away():
    """Standard output's reader is gone (``| head``): like a tool killed by SIGPIPE,
    stop without a message but with status 141, never 0 (the output is incomplete)."""
    _silence_stdout()
    return BROKEN_PIPE


def _typed_flag(option_name, args):
    """Return the flag as the user typed it (click reports ``-foo`` as ``-f``)."""
    for arg in args:
        if arg.startswith(option_name) and arg.startswith("-"):
            return arg.split("=", 1)[0]
    return option_name


def _did_you_mean(typed, ctx):
    """Return ``: did you mean -size?`` for the command's flag closest to ``typed``
    (``--size`` is the reference's ``-size``; a typo gets the nearest name), or ''."""
    import difflib

    command = getattr(ctx, "command", None)
    names = [name for param in getattr(command, "params", ()) for name in getattr(param, "opts", ())
             + getattr(param, "secondary_opts", ())]
    if typed.startswith("--") and typed[1:] in names:
        return f": did you mean {typed[1:]}?"
    close = difflib.get_close_matches(typed, names, n=1, cutoff=0.6)
    return f": did you mean {close[0]}?" if close else ""


def _silence_stdout():
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
