"""Evaluating vectors while they train (``-eval``, ``-eval-pairs``).

The training layer knows nothing of the query tools; this module, beside the API
and the command line, joins them: :func:`make_evaluator` reads the question and pair
files once, before training starts (so that a bad file fails at once), and returns
a function that scores the current vectors, which the training driver calls after
each epoch on consistent matrices.
"""

from .errors import Word2VecError
from .files.inputs import check_readable

#: Analogy questions are answered among the most frequent words, as
#: ``word2vec accuracy VECTORS 30000`` does.
EVAL_THRESHOLD = 30000


def make_evaluator(questions=None, pairs=None, threshold=EVAL_THRESHOLD):
    """Return ``evaluate(words, matrix) -> dict`` for an analogy question file and/or
    a word-pair file, or None when neither is given.

    The dict has ``analogy`` (:meth:`AccuracyResult.as_dict
    <word2vec_cli.query.accuracy.AccuracyResult.as_dict>` without its sections'
    details) and/or ``pairs`` (:meth:`SimilarityResult.as_dict
    <word2vec_cli.query.similarity.SimilarityResult.as_dict>`). Raises
    :class:`Word2VecError` for an unreadable or malformed file.
    """
    if not questions and not pairs:
        return None
    question_text = None
    pair_list = None
    if questions:
        check_readable(questions, "-eval question file")
        try:
            with open(questions, "rb") as handle:
                question_text = handle.read()
        except OSError as exc:
            raise Word2VecError(f"cannot read {questions}: {exc.strerror or exc}") from None
        if not any(len(line.split()) == 4 for line in question_text.splitlines()):
            raise Word2VecError(f"{questions}: no analogy question ('a b c d' lines) found")
    if pairs:
        from .query.similarity import read_pairs

        pair_list = read_pairs(pairs)
        if not pair_list:
            raise Word2VecError(f"{pairs}: no word pair found")

    def evaluate(words, matrix):
        from .vectors.words import WordVectors

        # a copy: the query tools may normalise in place, and training goes on
        vectors = WordVectors(words, matrix.copy(), _trusted=True)
        results = {}
        if question_text is not None:
            from .query.accuracy import accuracy

            figures = accuracy(vectors, question_text, threshold=threshold).as_dict()
            figures["sections"] = [{"name": s["name"], "accuracy": s["accuracy"]} for s in figures["sections"]]
            results["analogy"] = figures
        if pair_list is not None:
            from .query.similarity import similarity

            results["pairs"] = similarity(vectors, pair_list).as_dict()
        return results

    return evaluate
