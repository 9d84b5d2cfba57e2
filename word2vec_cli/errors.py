"""Errors that reach the user as one line on stderr instead of a traceback."""


class Word2VecError(Exception):
    """A problem with the user's input or environment.

    The command line prints ``str(error)`` on one line and exits with ``exit_code``
    (1 for bad input or files, 2 for usage errors).
    """

    exit_code = 1


class UsageError(Word2VecError):
    """A bad flag or flag value; the command line exits with status 2."""

    exit_code = 2
