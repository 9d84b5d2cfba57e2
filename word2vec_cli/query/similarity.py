"""Word-pair similarity: correlating cosine similarities with human scores
(WordSim-353, SimLex-999)."""

import dataclasses
import math
import os

import numpy as np

from ..errors import Word2VecError
from ..files.inputs import check_readable, iter_blocks


@dataclasses.dataclass
class SimilarityResult:
    """The outcome of :func:`similarity`: pairs scored, pairs skipped (an unknown
    word), and the Pearson and Spearman correlations (NaN when undefined)."""

    pairs_used: int
    pairs_skipped: int
    pearson: float
    spearman: float

    def as_dict(self):
        """Return the figures as a JSON-ready dict (NaN as None)."""
        def clean(x):
            return None if x != x else x

        return {"pairs_used": self.pairs_used, "pairs_skipped": self.pairs_skipped,
                "pearson": clean(self.pearson), "spearman": clean(self.spearman)}


def average_ranks(values):
    """Return the 1-based ranks of ``values`` (float64), ties sharing their average rank."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(values.size, dtype=np.float64)
    sorted_values = values[order]
    start = 0
    while start < values.size:
        end = start
        while end + 1 < values.size and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        ranks[order[start:end + 1]] = (start + end) / 2.0 + 1.0
        start = end + 1
    return ranks


def pearson(x, y):
    """Return the Pearson correlation of ``x`` and ``y`` (NaN when either is constant
    or there are fewer than two values)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.size < 2:
        return float("nan")
    dx, dy = x - x.mean(), y - y.mean()
    denominator = math.sqrt(float(dx @ dx) * float(dy @ dy))
    return float(dx @ dy) / denominator if denominator > 0 else float("nan")


def spearman(x, y):
    """Return the Spearman rank correlation of ``x`` and ``y`` (Pearson of the
    average ranks, so ties are handled)."""
    return pearson(average_ranks(x), average_ranks(y))


def read_pairs(path):
    """Read a word-pair file: ``word1<TAB>word2<TAB>score`` (or separated by single
    spaces) per line; blank lines and ``#`` comments are skipped, and so is a first
    line whose score is not a number (a column header). Returns a list of
    (word1, word2, score)."""
    check_readable(path, "word-pair file")
    pairs = []
    text = b"".join(iter_blocks(path)).decode("utf-8", "surrogateescape")
    for number, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) != 3:
            raise Word2VecError(f"{path}, line {number}: expected 'word1<TAB>word2<TAB>score', "
                                f"found {len(fields)} fields")
        try:
            score = float(fields[2])
        except ValueError:
            if not pairs:
                continue  # a header line
            raise Word2VecError(f"{path}, line {number}: score '{fields[2][:40]}' is not a number") from None
        if not math.isfinite(score):
            raise Word2VecError(f"{path}, line {number}: score '{fields[2][:40]}' is not a finite number")
        pairs.append((fields[0].strip(), fields[1].strip(), score))
    return pairs


def similarity(vectors, pairs, case_insensitive=True, required=None):
    """Correlate cosine similarities with human scores.

    ``pairs`` is a list of (word1, word2, score) or the path of a pair file (see
    :func:`read_pairs`). A word is looked up exactly; failing that, and when
    ``case_insensitive``, the first vocabulary word equal to it ignoring case is
    used. Pairs with an unknown word are skipped. Returns a :class:`SimilarityResult`.
    With ``required`` (the name of the pair file, for the message), no correlation
    (fewer than two usable pairs, or constant scores) raises :class:`Word2VecError`
    instead of giving NaN.
    """
    if isinstance(pairs, (str, os.PathLike)):
        pairs = read_pairs(pairs)
    lowered = {}
    if case_insensitive:
        for position, word in enumerate(vectors.words):
            lowered.setdefault(word.lower(), position)

    def find(word):
        try:
            return vectors.index(word)
        except KeyError:
            return lowered.get(word.lower(), -1) if case_insensitive else -1

    model, human = [], []
    skipped = 0
    for first, second, score in pairs:
        i, j = find(first), find(second)
        if i < 0 or j < 0:
            skipped += 1
            continue
        x = vectors.vectors[i].astype(np.float64)
        y = vectors.vectors[j].astype(np.float64)
        norms = np.linalg.norm(x) * np.linalg.norm(y)
        model.append(float(x @ y) / norms if norms > 0 else 0.0)
        human.append(score)
    result = SimilarityResult(len(model), skipped, pearson(model, human), spearman(model, human))
    if required is not None and result.pearson != result.pearson:
        if len(model) < 2:
            why = f"{len(model)} of {len(model) + skipped} pairs have both words in the vectors (need 2)"
        else:
            why = f"the scores or similarities of its {len(model)} usable pairs are all equal"
        raise Word2VecError(f"{required}: no correlation: {why}")
    return result


