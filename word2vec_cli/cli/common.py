"""Running a click command so that every failure is one line on stderr.

Click's own usage errors, our :class:`~word2vec_cli.errors.Word2VecError`, Ctrl-C,
a closed pipe and operating-system errors all end here: a single line
``PROG: error: message`` (or ``PROG: message`` for usage errors) and an exit status
(2 usage, 1 other errors, 130 interrupted), never a traceback.
"""

import errno
import os
import sys

import click

from ..errors import Word2VecError


def fail(prog, message, status):
    """Print ``prog: message`` on one line of stderr and return ``status``."""
    message = " ".join(str(message).split())
    print(f"{prog}: {message}", file=sys.stderr, flush=True)
    return status


def run_command(command, args, prog):
    """Run the click ``command`` on ``args`` as program ``prog``; return the exit status."""
    try:
        result = command.main(args=list(args), prog_name=prog, standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.exceptions.NoSuchOption as exc:
        return fail(prog, f"unknown flag {_typed_flag(exc.option_name, args)} (see '{prog} --help')", 2)
    except click.exceptions.UsageError as exc:
        return fail(prog, exc.format_message(), 2)
    except click.exceptions.Abort:
        return fail(prog, "interrupted", 130)
    except click.ClickException as exc:
        return fail(prog, f"error: {exc.format_message()}", exc.exit_code)
    except Word2VecError as exc:
        prefix = "" if exc.exit_code in (2, 130) else "error: "
        return fail(prog, f"{prefix}{exc}", exc.exit_code)
    except KeyboardInterrupt:
        return fail(prog, "interrupted", 130)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): not an error worth a message
        _silence_stdout()
        return 0
    except MemoryError:
        return fail(prog, "error: out of memory", 1)
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            _silence_stdout()
            return 0
        where = f" {exc.filename}" if exc.filename else ""
        return fail(prog, f"error:{where}: {exc.strerror or exc}", 1)


def _typed_flag(option_name, args):
    """Return the flag as the user typed it (click reports ``-foo`` as ``-f``)."""
    for arg in args:
        if arg.startswith(option_name) and arg.startswith("-"):
            return arg.split("=", 1)[0]
    return option_name


def _silence_stdout():
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
