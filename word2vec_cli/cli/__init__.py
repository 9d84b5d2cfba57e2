"""Command-line entry points: ``word2vec`` and the reference's tool names.

``word2vec -train ...`` trains; ``word2vec SUBCOMMAND ...`` runs a tool. The same
tools are installed as ``distance``, ``word-analogy``, ``compute-accuracy`` and
``word2phrase`` so that scripts written for the reference run unchanged. Commands are
imported only when used, which keeps start-up short (numba is imported only by the
modules that need it).
"""

import importlib
import sys

from .common import fail, run_command

#: subcommand name -> (module, command attribute); aliases share an entry.
_SUBCOMMANDS = {
    "distance": ("query", "distance_command"),
    "analogy": ("query", "analogy_command"),
    "word-analogy": ("query", "analogy_command"),
    "accuracy": ("query", "accuracy_command"),
    "compute-accuracy": ("query", "accuracy_command"),
    "similarity": ("query", "similarity_command"),
    "convert": ("query", "convert_command"),
    "phrases": ("phrases", "phrases_command"),
    "word2phrase": ("phrases", "phrases_command"),
    "train": ("train", "train_command"),
    "segment": ("segment", "segment_command"),
    "segment-score": ("segment", "segment_score_command"),
    "plot": ("plot", "plot_command"),
    "map": ("plot", "map_command"),
}


#: the one subcommand that runs without arguments: a filter of standard input.
_FILTERS = {"segment"}


def _command(name):
    module, attribute = _SUBCOMMANDS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)


def main(argv=None):
    """Entry point of ``word2vec``: train, or dispatch to a subcommand. Exits the process."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:  # like the reference: no arguments prints the usage and exits 0
        args = ["--help"]
    if args and args[0] in ("--version", "-version"):
        from .. import __version__

        print(f"word2vec_cli {__version__}")
        sys.exit(0)
    if args and args[0] in _SUBCOMMANDS:
        # like the reference's tools (and ours under their names): no arguments prints the usage, status 0
        rest = args[1:] or (["--help"] if args[0] not in _FILTERS else [])
        sys.exit(run_command(_command(args[0]), rest, f"word2vec {args[0]}"))
    if args and not args[0].startswith("-"):
        sys.exit(fail("word2vec", f"unknown command {args[0]!r} (see 'word2vec --help')", 2))
    sys.exit(run_command(_command("train"), args, "word2vec"))


def _tool(name, prog):
    def entry(argv=None):
        args = list(sys.argv[1:] if argv is None else argv) or ["--help"]
        sys.exit(run_command(_command(name), args, prog))

    entry.__doc__ = f"Entry point of ``{prog}`` (same as ``word2vec {name}``). Exits the process."
    return entry


distance_main = _tool("distance", "distance")
analogy_main = _tool("analogy", "word-analogy")
accuracy_main = _tool("accuracy", "compute-accuracy")
phrases_main = _tool("phrases", "word2phrase")


def segment_main(argv=None):
    """Entry point of ``word2vec-segment`` (same as ``word2vec segment``): a filter, so
    without arguments it reads standard input. Exits the process."""
    args = list(sys.argv[1:] if argv is None else argv)
    sys.exit(run_command(_command("segment"), args, "word2vec-segment"))
