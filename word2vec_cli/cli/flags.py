"""Building blocks shared by the click commands: the reference's single-dash flags,
help layout and ``--version``."""

import click

#: Every reference-style command accepts these for help (the reference's ``-h`` too).
REFERENCE_CONTEXT = {"help_option_names": ["--help", "-help", "-h"], "max_content_width": 100}
#: The subcommands that have no reference twin use GNU-style options.
TOOL_CONTEXT = {"help_option_names": ["--help", "-h"], "max_content_width": 100}


class _CNumber(click.ParamType):
    """A number as C's ``atoi``/``atof`` read it, refusing what Python alone takes.

    Python's ``int`` and ``float`` accept ``1_000`` and non-ASCII digits (``１００``),
    which the reference reads as 1 and 0: a script moved between the two would train
    another model, so such values are a usage error (one line) rather than a guess.
    """

    def __init__(self, convert, name):
        self._convert = convert
        self.name = name

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        text = value.strip()
        if "_" in text or not text.isascii():
            try:
                meant = f" (write {self._convert(text)!r})"
            except ValueError:
                meant = ""
            self.fail(f"{value!r} is not a number as the reference reads it{meant}", param, ctx)
        try:
            return self._convert(text)
        except ValueError:
            self.fail(f"{value!r} is not {'an integer' if self._convert is int else 'a number'}", param, ctx)


C_INT = _CNumber(int, "integer")
C_FLOAT = _CNumber(float, "float")


def reference_flag(name, type_, help_, default=None, metavar=None):
    """Return a click option spelled as the reference spells it (``-min-count``), stored
    under the Python name (``min_count``); the default is shown in the help. ``int``
    and ``float`` take numbers as C reads them (:class:`_CNumber`)."""
    type_ = {int: C_INT, float: C_FLOAT}.get(type_, type_)
    return click.option(f"-{name}", name.replace("-", "_"), type=type_, default=default,
                        show_default=default is not None, metavar=metavar, help=help_)


def version_option():
    """Return the ``--version``/``-version`` option that prints the package version."""
    from .. import __version__

    return click.version_option(__version__, "--version", "-version", package_name="word2vec-cli",
                                message="word2vec_cli %(version)s")
