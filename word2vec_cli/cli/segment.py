"""``word2vec segment`` (also ``word2vec-segment``) and ``word2vec segment-score``."""

import sys

import click

from .flags import REFERENCE_CONTEXT, reference_flag, version_option

EPILOG = """\
\b
Examples:
  word2vec segment news.txt.gz -output news.seg.txt -method jieba -threads 2
  word2vec segment -method maxmatch -dict words.txt < raw.txt > seg.txt
  word2vec segment-score gold.txt news.seg.txt
"""

_METHODS = ["jieba", "jieba-nohmm", "jieba-full", "char", "maxmatch"]


@click.command(context_settings=REFERENCE_CONTEXT, epilog=EPILOG)
@version_option()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@reference_flag("output", click.Path(dir_okay=False, allow_dash=True), "Write the segmented text to FILE "
                "(- = standard output).", "-", metavar="FILE")
@reference_flag("method", click.Choice(_METHODS), "Segmenter: jieba (precise mode with its HMM), jieba-nohmm, "
                "jieba-full (overlapping words), char (one token per Han character), maxmatch.", "jieba")
@reference_flag("direction", click.Choice(["forward", "backward", "both"]), "maxmatch: forward, backward or "
                "bidirectional maximum matching.", "both")
@reference_flag("dict", click.Path(dir_okay=False), "User dictionary (one word per line; jieba's 'word freq "
                "tag' lines work): added to jieba's words, or maxmatch's word list.", metavar="FILE")
@click.option("-dict-only", "dict_only", is_flag=True, help="maxmatch: use only the words of -dict, not jieba's "
              "dictionary.")
@reference_flag("punct", click.Choice(["keep", "drop"]), "Punctuation: keep as tokens of its own, or drop.",
                "keep")
@click.option("-normalize", "normalise", is_flag=True, help="Write full-width digits and letters as ASCII "
              "(１９９８ -> 1998).")
@reference_flag("threads", click.IntRange(min=1), "Worker processes.", 1)
@reference_flag("debug", click.IntRange(0, 2), "0 quiet, 1 a summary line, 2 also a progress bar.", 2)
def segment_command(files, output, method, direction, dict, dict_only, punct, normalise, threads, debug):
    """Split Chinese text into words separated by single spaces.

    Reads FILES (default: standard input; .gz/.bz2/.xz are decompressed), UTF-8, and
    writes one line per input line. Runs of Han characters are segmented by the chosen
    method; Latin words and numbers stay whole tokens; punctuation becomes tokens of
    its own (or is dropped with -punct drop). jieba needs pip install
    'word2vec-cli[zh]'; maxmatch uses jieba's dictionary when it is installed, plus
    -dict.
    """
    from ..files.outputs import check_distinct
    from ..segment.driver import segment_files

    check_distinct(inputs=[("FILES", path) for path in files or ["-"]] + [("-dict", dict)],
                   outputs=[("-output", output)])
    stats = segment_files(list(files), output, method=method, user_dict=dict, direction=direction,
                          drop_punct=punct == "drop", normalise=normalise, dict_only=dict_only,
                          threads=threads, debug=debug)
    if debug >= 1:
        print(f"segmented {stats['lines']} lines, {stats['bytes_in']} bytes in, {stats['bytes_out']} bytes out",
              file=sys.stderr)
    return 0


@click.command(context_settings=REFERENCE_CONTEXT)
@version_option()
@click.argument("gold", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("test", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-json", "--json", "as_json", is_flag=True, help="Print the counts and rates as JSON.")
def segment_score_command(gold, test, as_json):
    """Score the segmentation TEST against GOLD: word-boundary and word precision,
    recall and F1.

    Both files hold the same text line by line (spaces removed, the characters of each
    line must be equal; otherwise a one-line error names the first line that differs).
    """
    from ..files.outputs import check_distinct
    from ..segment.score import score_files

    check_distinct(inputs=[("GOLD", gold), ("TEST", test)])
    score = score_files(gold, test)
    if as_json:
        import json

        print(json.dumps(score.as_dict(), indent=2))
    else:
        sys.stdout.write(score.report())
    return 0
