"""gensim's two evaluations of word vectors, with gensim's rules and return shapes.

:func:`evaluate_word_analogies` answers each ``a b c expected`` question with the
best of the five nearest words to the unit mean of b + c - a (the question's words
left out, and any word equal to one of them once uppercased), among the first
``restrict_vocab`` words, uppercasing everything unless ``case_insensitive`` is
false; questions with a word outside those skip (or count as wrong with
``dummy4unknown``). It returns ``(accuracy, sections)``, each section a dict
``{'section', 'correct', 'incorrect'}`` of question tuples, the last one
``'Total accuracy'``.

:func:`evaluate_word_pairs` correlates the cosines of ``a<TAB>b<TAB>score`` pairs
with the scores; it returns ``(pearson, spearman, oov_ratio)`` where the first two
are :class:`CorrelationResult` tuples ``(statistic, pvalue)`` that compare equal to
scipy's results (p-values from the same distributions, computed here: scipy is no
dependency).

These differ from ``word2vec accuracy`` (:mod:`.accuracy`, the reference's
``compute-accuracy``) on purpose: they are what gensim users compare against.
"""

import collections
import math
import os

import numpy as np

from ..errors import Word2VecError
from ..files.inputs import check_readable

#: Questions scored per matrix product.
_BATCH = 64


def top_positions(scores, count):
    """Return the positions of the ``count`` highest ``scores``, best first."""
    count = min(count, scores.shape[0])
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    negated = -scores
    if count < scores.shape[0]:
        chosen = np.argpartition(negated, count - 1)[:count]
    else:
        chosen = np.arange(scores.shape[0])
    return chosen[np.argsort(negated[chosen], kind="stable")]


class CorrelationResult(collections.namedtuple("CorrelationResult", "statistic pvalue")):
    """A correlation and its two-sided p-value; a tuple, as scipy's results are."""

    __slots__ = ()

    @property
    def correlation(self):
        """float: the correlation (scipy's older name for ``statistic``)."""
        return self.statistic


def _allowed_rows(kv, restrict_vocab, case_insensitive):
    """Return {key (uppercased if ``case_insensitive``): row} over the first
    ``restrict_vocab`` keys; a key that repeats keeps its first row."""
    allowed = {}
    for row, key in enumerate(kv.index_to_key[:restrict_vocab]):
        allowed.setdefault(key.upper() if case_insensitive else key, row)
    return allowed


def _read_lines(path, what, encoding="utf8"):
    """Return the text lines of ``path``; raise :class:`Word2VecError` if unreadable."""
    check_readable(os.fspath(path), what)
    try:
        with open(path, "rb") as handle:
            return [line.decode(encoding) for line in handle]
    except (OSError, UnicodeDecodeError, LookupError) as exc:
        raise Word2VecError(f"cannot read {os.fspath(path)}: {getattr(exc, 'strerror', None) or exc}") from None


def evaluate_word_analogies(kv, analogies, restrict_vocab=300000, case_insensitive=True, dummy4unknown=False):
    """Score the analogy file ``analogies`` (``: section`` lines, then ``a b c d``
    lines) on the vectors ``kv`` as gensim's ``KeyedVectors.evaluate_word_analogies``
    does; return ``(accuracy, sections)`` (see the module's description). Raises
    ValueError for a question before any section, :class:`Word2VecError` for an
    unreadable file."""
    allowed = _allowed_rows(kv, restrict_vocab, case_insensitive)
    sections, section, asked = [], None, []
    for number, line in enumerate(_read_lines(analogies, "analogy file")):
        if line.startswith(": "):
            section = {"section": line.lstrip(": ").strip(), "correct": [], "incorrect": []}
            sections.append(section)
            continue
        if section is None:
            raise ValueError(f"Missing section header before line #{number} in {analogies}")
        words = line.split()
        if len(words) != 4:
            continue
        question = tuple(w.upper() for w in words) if case_insensitive else tuple(words)
        known = all(w in allowed for w in question)
        if known or dummy4unknown:
            asked.append((section, question, known))
    answerable = [(section, question) for section, question, known in asked if known]
    verdicts = iter(_answer(kv, allowed, answerable, restrict_vocab, case_insensitive))
    for section, question, known in asked:  # in file order, as gensim lists them
        section["correct" if known and next(verdicts) else "incorrect"].append(question)
    correct = [q for s in sections for q in s["correct"]]
    incorrect = [q for s in sections for q in s["incorrect"]]
    sections.append({"section": "Total accuracy", "correct": correct, "incorrect": incorrect})
    answered = len(correct) + len(incorrect)
    return (len(correct) / answered if answered else 0.0), sections


def _answer(kv, allowed, asked, restrict_vocab, case_insensitive):
    """Answer the ``asked`` (section, question) pairs in batches; return a list of
    booleans, True where the answer is the expected word."""
    verdicts = []
    if not asked:
        return verdicts
    kv.fill_norms()
    end = min(restrict_vocab, len(kv.index_to_key)) if restrict_vocab else len(kv.index_to_key)
    candidates, norms = kv.vectors[:end], kv.norms[:end]
    for first in range(0, len(asked), _BATCH):
        batch = asked[first: first + _BATCH]
        rows = np.array([[allowed[w] for w in question[:3]] for _, question in batch], dtype=np.int64)
        unit = kv.vectors[rows] / kv.norms[rows][:, :, None]
        means = (unit[:, 1].astype(np.float64) + unit[:, 2] - unit[:, 0]) / 3.0
        lengths = np.linalg.norm(means, axis=1)
        lengths[lengths == 0] = 1.0
        means = (means / lengths[:, None]).astype(np.float32)
        scores = (candidates @ means.T) / norms[:, None]
        for k, (section, question) in enumerate(batch):
            excluded = set(rows[k].tolist())
            ignore = set(question[:3])
            nearest = [j for j in top_positions(scores[:, k], 5 + len(excluded)) if j not in excluded][:5]
            predicted = None
            for j in nearest:
                key = kv.index_to_key[j]
                predicted = key.upper() if case_insensitive else key
                if predicted in allowed and predicted not in ignore:
                    break
            verdicts.append(predicted == question[3])
    return verdicts


def evaluate_word_pairs(kv, pairs, delimiter="\t", encoding="utf8", restrict_vocab=300000, case_insensitive=True,
                        dummy4unknown=False):
    """Correlate the cosines of the word pairs in ``pairs`` (``a b score`` lines split
    by ``delimiter``; ``#`` lines are comments) with their scores, as gensim's
    ``KeyedVectors.evaluate_word_pairs`` does; return ``(pearson, spearman,
    oov_ratio)``: two :class:`CorrelationResult` and the percentage of pairs with an
    unknown word. Raises ValueError when no pair can be scored,
    :class:`Word2VecError` for an unreadable file."""
    allowed = _allowed_rows(kv, restrict_vocab, case_insensitive)
    gold, model = [], []
    oov = 0
    for line in _read_lines(pairs, "word-pair file", encoding):
        if not line or line.startswith("#"):
            continue
        parts = line.split(delimiter)
        if len(parts) != 3:
            continue
        a, b, score = (p.upper() for p in parts) if case_insensitive else parts
        try:
            score = float(score)
        except ValueError:
            continue
        if a not in allowed or b not in allowed:
            oov += 1
            if dummy4unknown:
                gold.append(score)
                model.append(0.0)
            continue
        gold.append(score)
        model.append(float(kv.similarity(allowed[a], allowed[b])))
    if not gold:
        raise ValueError(f"No valid similarity judgements found in {pairs}: either invalid format or "
                         f"all are out-of-vocabulary in {kv}")
    ratio = 100.0 * oov / (len(gold) if dummy4unknown else len(gold) + oov)
    return pearson(gold, model), spearman(gold, model), ratio


# ----------------------------------------------------------------------------------
# correlations and their p-values
# ----------------------------------------------------------------------------------


def _beta_fraction(a, b, x):
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 10000):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return result


def regularized_beta(a, b, x):
    """Return I_x(a, b), the regularized incomplete beta function, for 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def pearson(x, y):
    """Return the Pearson correlation of ``x`` and ``y`` and its two-sided p-value
    (exact, under independent normal samples) as a :class:`CorrelationResult`."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n = x.shape[0]
    dx, dy = x - x.mean(), y - y.mean()
    denominator = math.sqrt(float(dx @ dx) * float(dy @ dy))
    if n < 2 or denominator == 0:
        return CorrelationResult(float("nan"), float("nan"))
    r = max(-1.0, min(1.0, float(dx @ dy) / denominator))
    if n == 2:
        return CorrelationResult(r, 1.0)
    half = n / 2.0 - 1.0  # (r + 1) / 2 follows Beta(n/2 - 1, n/2 - 1)
    return CorrelationResult(r, min(1.0, 2.0 * regularized_beta(half, half, (1.0 - abs(r)) / 2.0)))


def average_ranks(values):
    """Return the ranks of ``values`` (1 = smallest), ties sharing their mean rank."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    ranks = np.empty(len(values), dtype=np.float64)
    for begin, end in zip(starts, ends):
        ranks[order[begin:end]] = (begin + end + 1) / 2.0
    return ranks


def spearman(x, y):
    """Return the Spearman rank correlation of ``x`` and ``y`` and its two-sided
    p-value (Student's t with n - 2 degrees of freedom, as scipy's) as a
    :class:`CorrelationResult`."""
    rho = pearson(average_ranks(x), average_ranks(y)).statistic
    n = len(x)
    if math.isnan(rho) or n < 3:
        return CorrelationResult(rho, float("nan"))
    if abs(rho) >= 1.0:
        return CorrelationResult(rho, 0.0)
    df = n - 2
    t_squared = rho * rho * df / ((1.0 + rho) * (1.0 - rho))
    return CorrelationResult(rho, regularized_beta(df / 2.0, 0.5, df / (df + t_squared)))
