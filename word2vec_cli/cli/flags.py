"""Building blocks shared by the click commands: the reference's single-dash flags,
help layout and ``--version``."""

import click

#: Every reference-style command accepts these for help (the reference's ``-h`` too).
REFERENCE_CONTEXT = {"help_option_names": ["--help", "-help", "-h"], "max_content_width": 100}
#: The subcommands that have no reference twin use GNU-style options.
TOOL_CONTEXT = {"help_option_names": ["--help", "-h"], "max_content_width": 100}


def reference_flag(name, type_, help_, default=None, metavar=None):
    """Return a click option spelled as the reference spells it (``-min-count``), stored
    under the Python name (``min_count``); the default is shown in the help."""
    return click.option(f"-{name}", name.replace("-", "_"), type=type_, default=default,
                        show_default=default is not None, metavar=metavar, help=help_)


def version_option():
    """Return the ``--version``/``-version`` option that prints the package version."""
    from .. import __version__

    return click.version_option(__version__, "--version", "-version", package_name="word2vec-cli",
                                message="word2vec_cli %(version)s")
