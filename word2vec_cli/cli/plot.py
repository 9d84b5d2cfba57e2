"""Click commands for the pictures: ``word2vec plot`` (training curves) and
``word2vec map`` (a 2-D map of word vectors). Both need matplotlib (the ``plot``
extra); without it they say so in one line."""

import click

from ..errors import UsageError
from .flags import TOOL_CONTEXT, version_option


def _output_option():
    return click.option("-output", "--output", "output", required=True, metavar="FILE",
                        help="Write the picture to FILE, in the format of its suffix "
                             "(.png, .pdf, .svg, .jpg...; PNG without one).")


@click.command(context_settings=TOOL_CONTEXT)
@version_option()
@click.argument("logs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_output_option()
@click.option("-label", "--label", "labels", multiple=True, metavar="NAME",
              help="Name of each run in the legend, in order (default: the log file names).")
def plot_command(logs, output, labels):
    """Draw the loss and evaluation curves of training logs (-log FILE) side by side.

    One line per LOG: the mean loss per trained word against epochs and, when the
    runs were evaluated (-eval, -eval-pairs), analogy accuracy and word-pair
    correlation after each epoch.
    """
    from ..files.outputs import check_distinct
    from ..plots import picture_format, plot_logs

    check_distinct(inputs=[("LOG", log) for log in logs], outputs=[("-output", output)])
    if labels and len(labels) != len(logs):
        raise UsageError(f"got {len(labels)} -label for {len(logs)} logs")
    picture_format(output)  # a bad suffix fails before the logs are read
    plot_logs(list(logs), output, labels=list(labels) or None)


@click.command(context_settings=TOOL_CONTEXT)
@version_option()
@click.argument("vectors", type=click.Path(dir_okay=False))
@click.argument("words", nargs=-1)
@_output_option()
@click.option("-words", "--words", "word_file", metavar="FILE", help="Also map the words in FILE.")
@click.option("-questions", "--questions", metavar="FILE",
              help="Map the word pairs of a section of this analogy file, joined by arrows.")
@click.option("-section", "--section", metavar="NAME", help="The section of -questions (e.g. capital-common-countries).")
@click.option("-pairs", "--pairs", "max_pairs", type=click.IntRange(min=1), default=20, show_default=True,
              help="Draw the first N pairs of the section whose two words are known.")
@click.option("-title", "--title", help="Title of the picture.")
@click.option("--format", "file_format", type=click.Choice(["text", "binary", "npy"]), default=None,
              help="Format of VECTORS [default: detected from the file].")
def map_command(vectors, words, output, word_file, questions, section, max_pairs, title, file_format):
    """Draw a 2-D PCA map of chosen words of VECTORS.

    Words come from the command line, from -words FILE, or as the pairs of an
    analogy section (-questions FILE -section NAME), which are joined by arrows:
    parallel arrows of equal length mean the relation was learned. Unknown words
    are left out and listed on stderr.
    """
    from ..files.outputs import check_distinct
    from ..plots import picture_format, read_word_list, section_pairs, unknown_words, word_map
    from ..vectors.read import load

    check_distinct(inputs=[("VECTORS", vectors), ("-words", word_file), ("-questions", questions)],
                   outputs=[("-output", output)])
    if bool(questions) != bool(section):
        raise UsageError("-questions and -section go together")
    picture_format(output)  # a bad suffix fails before the vectors are read
    chosen = list(words) + (read_word_list(word_file) if word_file else [])
    pairs = section_pairs(questions, section) if questions else []
    if not chosen and not pairs:
        raise UsageError("no words to map: give WORDS, -words FILE or -questions FILE -section NAME")
    # the first -pairs pairs whose words are both known: unknown ones are dropped before counting
    _, missing, _ = word_map(load(vectors, format=file_format), output, words=chosen, pairs=pairs,
                             title=title, max_pairs=max_pairs, section=section)
    if missing:
        click.echo(f"word2vec map: left out {unknown_words(missing)}", err=True)
