"""Vectors prepared for queries, and the reference's arithmetic for scoring them.

``distance``, ``word-analogy`` and ``compute-accuracy`` reproduce the reference's
output byte for byte. That needs its arithmetic, not just its formulas. Built with
``-O3 -march=native``, the reference's float32 reductions (vector lengths, dot
products) are vectorised by gcc as in-order sums: products rounded one by one and
added in order, with fused multiply-adds for the last ``n % 4`` components (the
scalar tail); compute-accuracy's scoring loop is neither vectorised nor fused.
Printed with six decimals, a score computed any other way differs in the last digit
now and then, and a near-tie can pick another word. So every printed score, and
every score that decides an answer, comes from :func:`_dot_like_reference` or
:func:`_dot_unfused`; BLAS products only select the candidates (every word whose
BLAS score is within a proven error bound of the best), which keeps
``compute-accuracy`` to one matrix product: the cosines of the few distinct question
words with every word, from which each question's scores are sums of three rows.
"""

import numpy as np
from numba import njit, types
from numba.extending import intrinsic



#: How many results distance and word-analogy print (the reference's N).
DEFAULT_RESULTS = 40
#: The epsilon of 3CosMul (Levy & Goldberg 2014).
COSMUL_EPSILON = 0.001
METHODS = ("add", "mul")

# ----------------------------------------------------------------------------------
# the reference's arithmetic
# ----------------------------------------------------------------------------------


@intrinsic
def _fma32(typingctx, a, b, c):
    """a * b + c in float32 with a single rounding (LLVM's llvm.fma.f32)."""
    signature = types.float32(types.float32, types.float32, types.float32)

    def codegen(context, builder, sig, args):
        return builder.fma(*args)

    return signature, codegen


@njit(cache=True, nogil=True)
def _dot_like_reference(x, y):
    """Return the float32 dot product of ``x`` and ``y`` as the reference's distance
    and word-analogy compute it (also every vector length, in all three tools).

    gcc vectorises these loops as an in-order reduction: the products of the first
    ``n - n % 4`` components are rounded one by one and added in order; the last
    ``n % 4`` are added with fused multiply-adds (its scalar tail loop).
    """
    n = x.shape[0]
    blocked = n - n % 4
    total = np.float32(0.0)
    for k in range(blocked):
        total = total + x[k] * y[k]
    for k in range(blocked, n):
        total = _fma32(x[k], y[k], total)
    return total


@njit(cache=True, nogil=True)
def _dot_unfused(x, y):
    """Return the float32 dot product of ``x`` and ``y`` with each product rounded
    and added in order, as the reference's compute-accuracy scores (its loop is
    neither vectorised nor fused)."""
    total = np.float32(0.0)
    for k in range(x.shape[0]):
        total = total + x[k] * y[k]
    return total


@njit(cache=True, nogil=True, error_model="numpy")
def _unit_rows_like_reference(matrix):
    """Return a copy of ``matrix`` with each row divided by its float32 length, as
    the reference normalises on loading (a zero row becomes NaN there, and here)."""
    n_rows, dim = matrix.shape
    unit = np.empty((n_rows, dim), dtype=np.float32)
    for i in range(n_rows):
        row = matrix[i]
        length = np.sqrt(_dot_like_reference(row, row))
        for k in range(dim):
            unit[i, k] = row[k] / length
    return unit


@njit(cache=True, nogil=True)
def _exact_scores(unit, query, rows):
    """Return the reference's scores of ``query`` against ``unit[rows]`` (float32)."""
    scores = np.empty(rows.shape[0], dtype=np.float32)
    for k in range(rows.shape[0]):
        scores[k] = _dot_like_reference(query, unit[rows[k]])
    return scores


#: Words per block when looking for a question's best approximate score.
_BLOCK = 64
#: Added to approximate scores (all in [-10, 3]) so that they are positive: the
#: bits of positive floats order like the floats, and an integer maximum
#: vectorises where numba's float maximum does not.
_SHIFT = np.float32(16.0)
#: Rounding error of adding _SHIFT (half an ulp of 16, twice over, doubled).
_SHIFT_ERROR = 4.0 * 2.0 ** -20


def _bitcast(source, target, doc):
    """Return an intrinsic that reinterprets the bits of a ``source`` scalar as ``target``."""

    def bitcast(typingctx, x):
        def codegen(context, builder, sig, args):
            return builder.bitcast(args[0], context.get_value_type(target))

        return target(source), codegen

    bitcast.__doc__ = doc
    return intrinsic(bitcast)


_float_bits = _bitcast(types.float32, types.int32, "The bits of a float32 as an int32.")
_bits_float = _bitcast(types.int32, types.float32, "The float32 whose bits are the int32 ``x``.")


@njit(cache=True, nogil=True, inline="always")
def _add_key(sa, sb, sc, j):
    """The approximate reference score of word ``j``, plus 16, as int32 bits."""
    return _float_bits((sb[j] - sa[j]) + sc[j] + _SHIFT)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _mul_key(sa, sb, sc, j):
    """The 3CosMul score of word ``j`` as int32 bits (negative only for a zero
    vector, whose cosines were set to -10)."""
    score = ((sb[j] + np.float32(1.0)) * (sc[j] + np.float32(1.0)) / np.float32(4.0)) / (
        (sa[j] + np.float32(1.0)) / np.float32(2.0) + np.float32(COSMUL_EPSILON))
    return _float_bits(score)


@njit(cache=True, nogil=True, error_model="numpy")
def _block_maxima(sa, sb, sc, a, b, c, multiplicative, maxima):
    """Write into ``maxima`` the largest key (see :func:`_add_key`, :func:`_mul_key`)
    of each block of 64 words, words a, b and c left out. Returns the largest.

    Keys are the bits of positive floats, which order like the floats; an integer
    maximum vectorises where numba's float maximum does not.
    """
    n_words = sa.shape[0]
    for block in range(maxima.shape[0]):
        top = np.int32(-2147483647)
        if multiplicative:
            for j in range(block * _BLOCK, min(n_words, (block + 1) * _BLOCK)):
                key = _mul_key(sa, sb, sc, j)
                top = key if key > top else top
        else:
            for j in range(block * _BLOCK, min(n_words, (block + 1) * _BLOCK)):
                key = _add_key(sa, sb, sc, j)
                top = key if key > top else top
        maxima[block] = top
    for excluded in (a, b, c):
        block = excluded // _BLOCK
        top = np.int32(-2147483647)
        for j in range(block * _BLOCK, min(n_words, (block + 1) * _BLOCK)):
            if j != a and j != b and j != c:
                key = _mul_key(sa, sb, sc, j) if multiplicative else _add_key(sa, sb, sc, j)
                top = key if key > top else top
        maxima[block] = top
    best = np.int32(-2147483647)
    for block in range(maxima.shape[0]):
        best = maxima[block] if maxima[block] > best else best
    return best


@njit(cache=True, nogil=True)
def _answers_add(similar, rows, positions, unit, margin, answers):
    """Find the word the reference's compute-accuracy picks for each question.

    ``similar[r]`` holds BLAS cosines of one question word with every word (NaN
    replaced by -10, which no real score reaches), and ``rows[q]`` says which
    rows belong to question q's words a, b, c (whose positions are
    ``positions[q]``), so ``similar[b] - similar[a] + similar[c]`` approximates the
    reference's score. The answer is the first word, other than a, b and c, whose
    exact score is the largest and positive; only words whose approximate score is
    within ``margin`` of the best one can be it, so only those are scored exactly.
    Writes -1 when no word scores above zero.
    """
    n_words = similar.shape[1]
    maxima = np.empty((n_words + _BLOCK - 1) // _BLOCK, dtype=np.int32)
    margin = margin + _SHIFT_ERROR
    for q in range(rows.shape[0]):
        sa, sb, sc = similar[rows[q, 0]], similar[rows[q, 1]], similar[rows[q, 2]]
        a, b, c = positions[q, 0], positions[q, 1], positions[q, 2]
        top_key = _block_maxima(sa, sb, sc, a, b, c, False, maxima)
        answers[q] = -1
        if top_key <= 0:
            continue  # no word but a, b and c
        top = _bits_float(top_key) - _SHIFT
        if top + margin <= 0:
            continue
        query = (unit[b] - unit[a]) + unit[c]
        bound = top - margin
        bound_key = _float_bits(bound + _SHIFT)
        best_score = np.float32(0.0)
        for block in range(maxima.shape[0]):
            if maxima[block] < bound_key:
                continue
            for j in range(block * _BLOCK, min(n_words, (block + 1) * _BLOCK)):
                if (sb[j] - sa[j]) + sc[j] >= bound and j != a and j != b and j != c:
                    score = _dot_unfused(query, unit[j])
                    if score > best_score:
                        best_score = score
                        answers[q] = j


@njit(cache=True, nogil=True, error_model="numpy")
def _answers_mul(similar, rows, positions, answers):
    """Find the 3CosMul answer of each question: the first word, other than a, b and
    c, maximising cos'(w,b) * cos'(w,c) / (cos'(w,a) + 0.001), cos' = (cos+1)/2.
    ``similar``, ``rows`` and ``positions`` are as for :func:`_answers_add`; -1 when
    a question word has a zero vector."""
    n_words = similar.shape[1]
    maxima = np.empty((n_words + _BLOCK - 1) // _BLOCK, dtype=np.int32)
    for q in range(rows.shape[0]):
        sa, sb, sc = similar[rows[q, 0]], similar[rows[q, 1]], similar[rows[q, 2]]
        a, b, c = positions[q, 0], positions[q, 1], positions[q, 2]
        top_key = _block_maxima(sa, sb, sc, a, b, c, True, maxima)
        answers[q] = -1
        if top_key < 0:
            continue
        for block in range(maxima.shape[0]):
            if maxima[block] == top_key:
                for j in range(block * _BLOCK, min(n_words, (block + 1) * _BLOCK)):
                    if _mul_key(sa, sb, sc, j) == top_key and j != a and j != b and j != c:
                        answers[q] = j
                        break
                break


@njit(cache=True, nogil=True, error_model="numpy")
def _normalize_like_reference(vector):
    """Return ``vector`` divided by its float32 length computed as the reference does."""
    length = np.sqrt(_dot_like_reference(vector, vector))
    out = np.empty_like(vector)
    for k in range(vector.shape[0]):
        out[k] = vector[k] / length
    return out


def _error_margin(dim, query_norms):
    """Return a bound on |BLAS score - reference score| for unit rows: each float32
    sum of ``dim`` products is off by at most ``dim * 2**-24 * |q|`` (times a factor
    of two for safety), and both computations err."""
    return (4.0 * dim * 2.0 ** -24) * np.asarray(query_norms, dtype=np.float64) * 2.0 + 1e-30


def _cosmul_scores(unit, a, b, c):
    """Return 3CosMul scores of every word for "a is to b as c is to ?" (float64):
    cos'(w,b) * cos'(w,c) / (cos'(w,a) + eps) with cos' = (cos + 1) / 2; NaN rows
    (zero vectors) score -inf."""
    rows = np.stack([unit[a], unit[b], unit[c]])
    cosines = (rows @ unit.T).astype(np.float64)
    shifted = (cosines + 1.0) / 2.0
    scores = shifted[1] * shifted[2] / (shifted[0] + COSMUL_EPSILON)
    scores[np.isnan(scores)] = -np.inf
    return scores


class QuerySpace:
    """Vectors prepared for queries: normalised as the reference normalises them.

    Parameters
    ----------
    vectors : Vectors
        The vectors to query (not modified).
    """

    def __init__(self, vectors):
        self.vectors = vectors
        self.words = vectors.words
        self.unit = _unit_rows_like_reference(vectors.vectors)

    def __len__(self):
        """Return the number of words."""
        return len(self.words)

    def position(self, word):
        """Return the position of ``word`` (first occurrence) or -1 when unknown."""
        try:
            return self.vectors.index(word)
        except KeyError:
            return -1

    def word_bytes(self, position):
        """Return the word at ``position`` as the bytes of the file."""
        return self.words[position].encode("utf-8", "surrogateescape")

    def nearest(self, query, n, floor, excluded=()):
        """Return the ``n`` best words for ``query`` as a list of (position, score).

        Exactly the reference's ranking: scores are its float32 dot products, only
        scores above ``floor`` count, ties go to the earlier word, and the positions
        in ``excluded`` are skipped.
        """
        query = np.ascontiguousarray(query, dtype=np.float32)
        approx = self.unit @ query
        approx[np.isnan(approx)] = -np.inf
        for position in excluded:
            approx[position] = -np.inf
        margin = float(_error_margin(query.shape[0], np.linalg.norm(query.astype(np.float64))))
        if not np.isfinite(margin):
            return []
        bound = floor - margin
        if 0 < n < approx.shape[0]:
            nth_best = np.partition(approx, approx.shape[0] - n)[approx.shape[0] - n]
            bound = max(bound, nth_best - margin)
        candidates = np.flatnonzero(approx >= bound)
        scores = _exact_scores(self.unit, query, candidates)
        keep = scores > floor
        candidates, scores = candidates[keep], scores[keep]
        order = np.lexsort((candidates, -scores.astype(np.float64)))[:n]
        return [(int(candidates[k]), float(scores[k])) for k in order]

    def _sum_query(self, positions):
        """Return the reference's distance query: the sum of unit rows, normalised."""
        total = np.zeros(self.unit.shape[1], dtype=np.float32)
        for position in positions:
            total += self.unit[position]
        return _normalize_like_reference(total)

    def most_similar(self, words, n=DEFAULT_RESULTS):
        """Return the ``n`` nearest words to the sum of ``words`` (str or list of str)
        as (word, cosine) pairs, the input words excluded. Raises KeyError for an
        unknown word."""
        if isinstance(words, str):
            words = [words]
        positions = []
        for word in words:
            position = self.position(word)
            if position < 0:
                raise KeyError(word)
            positions.append(position)
        found = self.nearest(self._sum_query(positions), n, -1.0, positions)
        return [(self.words[p], s) for p, s in found]

    def _analogy_positions(self, positions, n, method):
        """Return (position, score) answers for the analogy of ``positions`` (a, b, c
        and any further words, which are only excluded)."""
        a, b, c = positions[:3]
        if method == "mul":
            scores = _cosmul_scores(self.unit, a, b, c)
            scores[list(positions)] = -np.inf
            order = np.argsort(-scores, kind="stable")[:n]
            return [(int(p), float(scores[p])) for p in order if scores[p] > 0]
        if method != "add":
            raise ValueError(f"unknown analogy method {method!r}; use 'add' or 'mul'")
        query = _normalize_like_reference((self.unit[b] - self.unit[a]) + self.unit[c])
        return self.nearest(query, n, 0.0, positions)

    def analogy(self, a, b, c, n=DEFAULT_RESULTS, method="add"):
        """Return the ``n`` best answers to "``a`` is to ``b`` as ``c`` is to ?" as
        (word, score) pairs with positive scores; ``method`` is ``'add'`` (the
        reference's normalised b - a + c) or ``'mul'`` (3CosMul). Raises KeyError for
        an unknown word."""
        positions = []
        for word in (a, b, c):
            position = self.position(word)
            if position < 0:
                raise KeyError(word)
            positions.append(position)
        return [(self.words[p], s) for p, s in self._analogy_positions(positions, n, method)]
