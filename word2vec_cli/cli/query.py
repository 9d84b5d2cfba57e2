"""Click commands for the query tools: distance, analogy, accuracy, similarity, convert.

They only parse arguments and call :mod:`word2vec_cli.query` and
:mod:`word2vec_cli.vectors`; errors are raised as
:class:`~word2vec_cli.errors.Word2VecError` / :class:`~word2vec_cli.errors.UsageError`
for the dispatcher to print.
"""

import sys

import click

from ..errors import UsageError, Word2VecError
from .flags import TOOL_CONTEXT, version_option


_format_option = click.option(
    "--format", "file_format", type=click.Choice(["text", "binary", "npy"]), default=None,
    help="Format of FILE [default: detected from the file].")
_limit_option = click.option(
    "--limit", type=click.IntRange(min=0), default=None, metavar="N",
    help="Read only the first N words of FILE (0 = all).")


def _load(path, file_format=None, limit=None, queries=False):
    """Load a vector file for a command (imports numba-using modules only when run);
    ``queries``: the command then reads its queries from standard input, so the file
    cannot be ``-`` too."""
    from ..files.outputs import check_distinct
    from ..vectors.read import load

    if queries:
        check_distinct(inputs=[("FILE", path), ("the queries", "-")])
    return load(path, format=file_format, limit=limit or None)


def _binary(stream):
    """Return the binary buffer under a text stream (the stream itself if binary)."""
    return getattr(stream, "buffer", stream)


def _streams():
    """Return standard input and output as binary streams."""
    return _binary(sys.stdin), _binary(sys.stdout)


@click.command(context_settings=TOOL_CONTEXT)
@version_option()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-n", "results", type=click.IntRange(min=1), default=40, show_default=True,
              help="Number of nearest words to print.")
@_format_option
@_limit_option
def distance_command(file, results, file_format, limit):
    """Print the words nearest to a word or a sum of words (the reference's distance).

    Reads FILE (text or binary vectors), then lines from standard input until EXIT
    or end of input. Words on a line are separated by single spaces; their unit
    vectors are summed and the N nearest words (-n) listed by cosine similarity.
    """
    from ..query.interactive import run_distance
    from ..query.space import QuerySpace

    space = QuerySpace(_load(file, file_format, limit, queries=True))
    stdin, stdout = _streams()
    run_distance(space, stdin, stdout, n=results)


@click.command(context_settings=TOOL_CONTEXT)
@version_option()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--method", type=click.Choice(["add", "mul"]), default="add", show_default=True,
              help="add: the reference's normalised b - a + c; mul: 3CosMul (Levy & Goldberg 2014).")
@click.option("-n", "results", type=click.IntRange(min=1), default=40, show_default=True,
              help="Number of answers to print.")
@_format_option
@_limit_option
def analogy_command(file, method, results, file_format, limit):
    """Answer "a is to b as c is to ?" (the reference's word-analogy).

    Reads FILE, then lines of three words "a b c" from standard input until EXIT or
    end of input, and prints the best answers with positive scores.
    """
    from ..query.interactive import run_analogy
    from ..query.space import QuerySpace

    space = QuerySpace(_load(file, file_format, limit, queries=True))
    stdin, stdout = _streams()
    run_analogy(space, stdin, stdout, n=results, method=method)


@click.command(context_settings=TOOL_CONTEXT)
@version_option()
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("threshold", type=click.IntRange(min=0), default=0, required=False)
@click.option("--questions", type=click.Path(dir_okay=False), default="-", show_default=True,
              help="Question file (- = standard input).")
@click.option("--method", type=click.Choice(["add", "mul"]), default="add", show_default=True,
              help="add: the reference's b - a + c; mul: 3CosMul (Levy & Goldberg 2014).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of the reference's report.")
@_format_option
def accuracy_command(file, threshold, questions, method, as_json, file_format):
    """Score analogy questions (the reference's compute-accuracy).

    Uses the first THRESHOLD words of FILE (0 = all; 30000 is typical), reads
    questions (": section" lines and "a b c d" lines, e.g. questions-words.txt) and
    prints the accuracy per section and in total, as the reference does.
    """
    from ..files.outputs import check_distinct
    from ..query.accuracy import accuracy, read_questions, unsectioned_warning

    check_distinct(inputs=[("FILE", file), ("--questions", questions)])
    vectors = _load(file, file_format, threshold or None)
    try:
        data = read_questions(questions)
    except OSError as exc:
        raise Word2VecError(f"cannot read {questions}: {exc.strerror or exc}") from None
    result = accuracy(vectors, data, threshold=threshold, method=method)
    if unsectioned_warning(result):
        click.echo(f"{click.get_current_context().info_name}: {unsectioned_warning(result)}", err=True)
    stdout = _binary(sys.stdout)
    stdout.write((result.to_json() + "\n").encode("utf-8") if as_json else result.report)
    stdout.flush()


@click.command(context_settings=TOOL_CONTEXT)
@version_option()
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("pairs", type=click.Path(dir_okay=False))
@click.option("--case-sensitive", is_flag=True,
              help="Look words up exactly only (default: fall back to the first word equal ignoring case).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@_format_option
@_limit_option
def similarity_command(file, pairs, case_sensitive, as_json, file_format, limit):
    """Correlate cosine similarities with human scores on word pairs.

    PAIRS has lines "word1<TAB>word2<TAB>score" (or separated by spaces); blank
    lines and lines starting with # are skipped. Prints the pairs used and skipped
    and the Pearson and Spearman correlations.
    """
    import json

    from ..query.similarity import read_pairs, similarity

    from ..files.outputs import check_distinct

    check_distinct(inputs=[("FILE", file), ("PAIRS", pairs)])
    pair_list = read_pairs(pairs)
    result = similarity(_load(file, file_format, limit), pair_list, case_insensitive=not case_sensitive,
                        required=pairs)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    click.echo(f"Pairs used: {result.pairs_used}   skipped (unknown words): {result.pairs_skipped}")
    click.echo(f"Pearson:  {result.pearson:.4f}")
    click.echo(f"Spearman: {result.spearman:.4f}")


@click.command(context_settings=TOOL_CONTEXT)
@version_option()
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False))
@click.argument("target", metavar="OUT", type=click.Path(dir_okay=False))
@click.option("--to", type=click.Choice(["text", "binary", "npy"]), default=None,
              help="Output format [default: from OUT's suffix: .txt/.vec text, .bin binary, .npy numpy].")
@click.option("--from", "source_format", type=click.Choice(["text", "binary", "npy"]), default=None,
              help="Input format [default: detected].")
@click.option("--normalize", is_flag=True, help="Store unit-length vectors.")
@_limit_option
def convert_command(source, target, to, source_format, normalize, limit):
    """Convert vectors between text, binary and a numpy pair.

    The numpy pair is OUT.npy (the matrix, float32) and OUT.vocab (one word a line).
    """
    from ..vectors.convert import convert, format_for_path

    if format_for_path(target, to) == "npy" and target == "-":  # a bad OUT fails before IN is read
        raise UsageError("the numpy pair cannot go to standard output (it is two files)")
    from ..files.outputs import check_distinct

    check_distinct(inputs=[("IN", source)], outputs=[("OUT", target)])
    convert(source, target, to=to, normalize=normalize, limit=limit or None, source_format=source_format)
