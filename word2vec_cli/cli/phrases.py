"""The ``word2phrase`` command (``word2vec phrases``), with the reference's single-dash flags."""

import click

from .flags import REFERENCE_CONTEXT, reference_flag, version_option

EPILOG = """\
\b
Example (phrases of up to four words, as the reference's demo-phrases.sh):
  word2phrase -train text.txt -output phrases.txt -threshold 200 -passes 2
"""


@click.command(context_settings=REFERENCE_CONTEXT, epilog=EPILOG)
@version_option()
@reference_flag("train", click.Path(dir_okay=False, allow_dash=True), "Read the text from FILE (- = stdin; "
                ".gz/.bz2/.xz are decompressed).", metavar="FILE")
@reference_flag("output", click.Path(dir_okay=False, allow_dash=True), "Write the text with phrases joined to "
                "FILE (- = stdout).", metavar="FILE")
@reference_flag("min-count", int, "Never join words or pairs that occur fewer times.", 5)
@reference_flag("threshold", float, "Join a pair when its score exceeds this (higher means fewer phrases).", 100.0)
@reference_flag("debug", int, "0 quiet, 1 sizes, 2 progress bars.", 2)
@reference_flag("passes", int, "[ours] Run N passes, each on the previous output, halving the threshold "
                "after the first (2 passes make phrases of up to four words).", 1)
@reference_flag("tmpdir", click.Path(exists=True, file_okay=False), "[ours] Folder for the copy of a piped text and "
                "the passes' intermediate texts [default: $TMPDIR, else the system's].", metavar="DIR")
def phrases_command(train, output, min_count, threshold, debug, passes, tmpdir):
    """WORD2PHRASE: join frequent word pairs into single tokens ("new york" -> "new_york").

    Counts the words and pairs of the text, then writes it again with each pair
    `a b` whose score (count(a_b) - min-count) / count(a) / count(b) * words exceeds
    the threshold joined into `a_b`, exactly as the reference word2phrase does
    (same counts, same float32 scores, same tokens). Line breaks are kept; words are
    separated by single spaces.
    """
    from ..files.inputs import is_regular_file
    from ..files.outputs import check_distinct
    from ..text.phrases import find_phrases

    # -output may be -train (rewritten in place): the text is read whole before the output
    # is renamed over it; the check still catches a FIFO or descriptor named twice
    check_distinct(inputs=[("-train", train)], outputs=[("-output", output)],
                   allowed=[("-train", "-output")] if train and is_regular_file(train) else [])
    find_phrases(train, output, min_count=min_count, threshold=threshold, passes=passes, debug=debug,
                 tmpdir=tmpdir)
    return 0
