"""The query tools as library functions: distance, analogy, accuracy, similarity, convert.

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

import dataclasses
import json
import math
import os

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

from .errors import UsageError, Word2VecError
from .fileio import check_readable
from .vectors import Vectors, format_c_float, load, save_npy, save_vectors

#: How many results distance and word-analogy print (the reference's N).
DEFAULT_RESULTS = 40
#: Sections of questions-words counted as semantic (the rest are syntactic).
SEMANTIC_SECTIONS = 5
#: The epsilon of 3CosMul (Levy & Goldberg 2014).
COSMUL_EPSILON = 0.001
METHODS = ("add", "mul")

DISTANCE_PROMPT = b"Enter word or sentence (EXIT to break): "
ANALOGY_PROMPT = b"Enter three words (EXIT to break): "
DISTANCE_HEADER = (b"\n                                              Word       Cosine distance\n"
                   b"------------------------------------------------------------------------\n")
ANALOGY_HEADER = (b"\n                                              Word              Distance\n"
                  b"------------------------------------------------------------------------\n")


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


@intrinsic
def _float_bits(typingctx, x):
    """The bits of a float32 as an int32."""
    signature = types.int32(types.float32)

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], context.get_value_type(types.int32))

    return signature, codegen


@intrinsic
def _bits_float(typingctx, x):
    """The float32 whose bits are the int32 ``x``."""
    signature = types.float32(types.int32)

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], context.get_value_type(types.float32))

    return signature, codegen


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


def split_like_reference(line):
    """Split a query line the way the reference's distance and word-analogy do.

    A single space separates words; the character after a separator always belongs
    to the next word (so ``"a  b"`` gives ``["a", " b"]``) and the first character
    never separates (``" a"`` gives ``[" a"]``). Works on bytes or str; returns a list.
    """
    words = []
    current = line[:1]
    k = 1
    space = b" " if isinstance(line, bytes) else " "
    while k < len(line):
        if line[k:k + 1] == space:
            words.append(current)
            current = line[k + 1:k + 2]
            k += 2
        else:
            current += line[k:k + 1]
            k += 1
    words.append(current)
    return words


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


# ----------------------------------------------------------------------------------
# distance and word-analogy sessions
# ----------------------------------------------------------------------------------


def _read_query(stdin):
    """Return the next input line without its line end, or None at end of input."""
    line = stdin.readline()
    if not line:
        return None
    if line.endswith(b"\n"):
        line = line[:-1]
    if line.endswith(b"\r"):
        line = line[:-1]
    return line


def _write_results(stdout, space, results, n, empty_score):
    """Print ``n`` result lines as ``%50s\\t\\t%f``; missing ones as the reference
    leaves them (an empty word and the initial score)."""
    lines = []
    for k in range(n):
        if k < len(results):
            position, score = results[k]
            word, value = space.word_bytes(position), score
        else:
            word, value = b"", empty_score
        lines.append(word.rjust(50) + b"\t\t" + format_c_float(value).encode("ascii") + b"\n")
    stdout.write(b"".join(lines))


def run_distance(space, stdin, stdout, n=DEFAULT_RESULTS):
    """Run the reference's ``distance`` loop: read queries from ``stdin`` (binary),
    print prompts and results to ``stdout`` (binary) until ``EXIT`` or end of input.

    Each line is split on single spaces; every word is looked up and its position
    printed, and the ``n`` nearest words to the sum of the (unit) vectors are listed.
    Returns the number of queries answered.
    """
    answered = 0
    while True:
        stdout.write(DISTANCE_PROMPT)
        stdout.flush()
        line = _read_query(stdin)
        if line is None or line == b"EXIT":
            break
        positions = []
        for word in split_like_reference(line):
            position = space.position(word.decode("utf-8", "surrogateescape"))
            stdout.write(b"\nWord: %s  Position in vocabulary: %d\n" % (word, position))
            if position < 0:
                stdout.write(b"Out of dictionary word!\n")
                break
            positions.append(position)
        else:
            stdout.write(DISTANCE_HEADER)
            results = space.nearest(space._sum_query(positions), n, -1.0, positions)
            _write_results(stdout, space, results, n, -1.0)
            answered += 1
    stdout.flush()
    return answered


def run_analogy(space, stdin, stdout, n=DEFAULT_RESULTS, method="add"):
    """Run the reference's ``word-analogy`` loop on ``stdin``/``stdout`` (binary).

    Each line needs three words ``a b c``; prints the ``n`` best answers to "a is to
    b as c is to ?" with positive scores. As in the reference, vocabulary entry 0
    (``</s>``) counts as unknown. ``method`` is ``'add'`` or ``'mul'`` (3CosMul).
    Returns the number of queries answered.
    """
    if method not in METHODS:
        raise UsageError(f"unknown analogy method {method!r}; use 'add' or 'mul'")
    answered = 0
    while True:
        stdout.write(ANALOGY_PROMPT)
        stdout.flush()
        line = _read_query(stdin)
        if line is None or line == b"EXIT":
            break
        words = split_like_reference(line)
        if len(words) < 3:
            stdout.write(b"Only %d words were entered.. three words are needed at the input to perform "
                         b"the calculation\n" % len(words))
            continue
        positions = []
        for word in words:
            position = max(space.position(word.decode("utf-8", "surrogateescape")), 0)
            stdout.write(b"\nWord: %s  Position in vocabulary: %d\n" % (word, position))
            if position == 0:
                stdout.write(b"Out of dictionary word!\n")
                break
            positions.append(position)
        else:
            stdout.write(ANALOGY_HEADER)
            _write_results(stdout, space, space._analogy_positions(positions, n, method), n, 0.0)
            answered += 1
    stdout.flush()
    return answered


# ----------------------------------------------------------------------------------
# compute-accuracy
# ----------------------------------------------------------------------------------

_END, _NAME, _QUESTION = 0, 1, 2


def _scan_questions(data):
    """Turn question text into the reference's event sequence.

    The reference reads whitespace-separated tokens with ``scanf``: a token ``:`` or
    ``EXIT`` (any case), or the end of input, closes a section and the next token
    names the next one; otherwise four tokens make a question (upper-cased; at the
    end of input a missing token keeps its previous value, as scanf leaves it).
    Returns a list of (_END,), (_NAME, bytes) and (_QUESTION, a, b, c, d).
    """
    tokens = data.split()
    count = len(tokens)
    # scanf sets end-of-file when the last token runs to the end of the input
    last_hits_eof = bool(data) and not data[-1:].isspace()
    events = []
    words = [b"", b"", b"", b""]
    k = 0
    while True:
        if k < count:
            words[0] = tokens[k].upper()
            k += 1
            eof = k == count and last_hits_eof
        else:
            words[0] = words[0].upper()
            eof = True
        if eof or words[0] == b":" or words[0] == b"EXIT":
            events.append((_END,))
            if k >= count or (k + 1 == count and last_hits_eof):
                break
            events.append((_NAME, tokens[k]))
            k += 1
            continue
        for slot in (1, 2, 3):
            if k < count:
                words[slot] = tokens[k].upper()
                k += 1
        events.append((_QUESTION, words[0], words[1], words[2], words[3]))
    return events


def _c_percent(part, whole):
    """Return ``part / (float)whole * 100`` as the reference computes it (float32),
    formatted with ``%.2f`` (``-nan`` for 0/0, as glibc prints it)."""
    if whole == 0:
        return "-nan"
    value = np.float32(part) / np.float32(whole) * np.float32(100)
    return "%.2f" % float(value)


@dataclasses.dataclass
class AccuracyResult:
    """The outcome of :func:`accuracy`.

    ``report`` is the reference's output (bytes); ``sections`` lists dicts with
    ``name``, ``correct`` and ``total`` (questions whose four words are known);
    the other fields are the totals the reference prints.
    """

    report: bytes
    sections: list
    semantic: tuple
    syntactic: tuple
    questions_seen: int
    questions_total: int
    method: str = "add"
    words: int = 0

    def as_dict(self):
        """Return the figures as a JSON-ready dict (accuracies in percent, None when
        no question counted)."""

        def figures(correct, total):
            return {"correct": correct, "total": total,
                    "accuracy": round(100.0 * correct / total, 4) if total else None}

        total = (self.semantic[0] + self.syntactic[0], self.semantic[1] + self.syntactic[1])
        return {
            "method": self.method,
            "words": self.words,
            "sections": [dict(name=s["name"], **figures(s["correct"], s["total"])) for s in self.sections],
            "semantic": figures(*self.semantic),
            "syntactic": figures(*self.syntactic),
            "total": figures(*total),
            "questions_seen": self.questions_seen,
            "questions_total": self.questions_total,
            "seen_percent": round(100.0 * self.questions_seen / self.questions_total, 4)
            if self.questions_total else None,
        }

    def to_json(self):
        """Return :meth:`as_dict` as a JSON string."""
        return json.dumps(self.as_dict(), indent=2)


def _question_chunks(questions, max_rows):
    """Split the questions (rows of a, b, c positions) into runs of consecutive
    questions that use at most ``max_rows`` distinct words. Yields (start, end, the
    distinct words in first-use order, questions rewritten as indices into them)."""
    if not len(questions):
        return
    distinct, inverse = np.unique(questions, return_inverse=True)
    if len(distinct) <= max_rows:
        yield 0, len(questions), distinct, inverse.reshape(questions.shape).astype(np.int64)
        return
    start = 0
    while start < len(questions):
        words = {}
        end = start
        while end < len(questions):
            new = [w for w in dict.fromkeys(questions[end].tolist()) if w not in words]
            if words and len(words) + len(new) > max_rows:
                break
            for word in new:
                words[word] = len(words)
            end += 1
        rows = np.array([[words[w] for w in q] for q in questions[start:end].tolist()], dtype=np.int64)
        yield start, end, np.fromiter(words, dtype=np.int64, count=len(words)), rows
        start = end


def _predict(space, questions, method):
    """Return the answer (a position, or -1) to each question (rows of a, b, c
    positions): the reference's for ``'add'``, 3CosMul's for ``'mul'``.

    One matrix product gives the cosines of every distinct question word with
    every word (questions-words has under a thousand distinct words), and each
    question's scores are sums of three of those rows.
    """
    n_words, dim = space.unit.shape
    answers = np.full(len(questions), -1, dtype=np.int64)
    unit_t = np.ascontiguousarray(space.unit.T)
    # at most about 256 MB of cosines at a time, whatever the vocabulary size
    max_rows = max(3, (1 << 26) // max(n_words, 1))
    for start, end, words, rows in _question_chunks(questions, max_rows):
        similar = space.unit[words] @ unit_t
        similar[np.isnan(similar)] = -10.0  # a zero vector: never an answer
        batch = np.ascontiguousarray(questions[start:end])
        out = np.empty(end - start, dtype=np.int64)
        if method == "mul":
            _answers_mul(similar, rows, batch, out)
        else:
            # |BLAS sum - reference score| <= about 6 * dim * 2**-24 (three BLAS
            # cosines, the reference's own dot product and roundings, for unit rows);
            # the margin is twice the error twice over
            margin = np.float32((24.0 * dim + 48.0) * 2.0 ** -24)
            _answers_add(similar, rows, batch, space.unit, margin, out)
        answers[start:end] = out
    return answers


def accuracy(vectors, questions, threshold=0, method="add"):
    """Score analogy questions the way the reference's ``compute-accuracy`` does.

    Parameters
    ----------
    vectors : Vectors
        The vectors; only the first ``threshold`` words are used (0: all).
    questions : bytes
        The questions text (``: section`` lines and ``a b c d`` lines).
    threshold : int
        Vocabulary restriction, as the reference's second argument.
    method : {'add', 'mul'}
        The reference's b - a + c, or 3CosMul.

    Returns
    -------
    AccuracyResult
        ``report`` is byte-identical to the reference's output for ``'add'``.
    """
    if method not in METHODS:
        raise UsageError(f"unknown analogy method {method!r}; use 'add' or 'mul'")
    if threshold < 0:
        raise UsageError(f"threshold must be >= 0, got {threshold}")
    if threshold and len(vectors) > threshold:
        vectors = Vectors(vectors.words[:threshold], vectors.vectors[:threshold], _trusted=True)
    space = QuerySpace(vectors)
    upper_words = [space.word_bytes(k).upper() for k in range(len(space))]
    first_position = {}
    for position, word in enumerate(upper_words):
        first_position.setdefault(word, position)

    events = _scan_questions(questions)
    known = []  # per question: positions of a, b, c (or None when a word is unknown)
    for event in events:
        if event[0] == _QUESTION:
            found = (first_position.get(event[1], -1), first_position.get(event[2], -1),
                     first_position.get(event[3], -1), first_position.get(event[4], -1))
            known.append(found[:3] if min(found) >= 0 else None)
    rows = np.array([k for k in known if k is not None], dtype=np.int64).reshape(-1, 3)
    answers = iter(_predict(space, rows, method).tolist())
    known = iter(known)

    out = []
    sections = []
    section_id = 0
    section_total = section_correct = 0
    all_total = all_correct = 0
    semantic = [0, 0]  # correct, total
    syntactic = [0, 0]
    seen = asked = 0
    for event in events:
        if event[0] == _END:
            if section_total == 0:
                section_total = 1  # the reference's guard against 0/0
            if section_id != 0:
                out.append("ACCURACY TOP1: %s %%  (%d / %d)\n"
                           % (_c_percent(section_correct, section_total), section_correct, section_total))
                out.append("Total accuracy: %s %%   Semantic accuracy: %s %%   Syntactic accuracy: %s %% \n"
                           % (_c_percent(all_correct, all_total), _c_percent(*semantic),
                              _c_percent(*syntactic)))
            section_id += 1
        elif event[0] == _NAME:
            out.append(event[1] + b":\n")
            sections.append({"name": event[1].decode("utf-8", "surrogateescape"), "correct": 0, "total": 0})
            section_total = section_correct = 0
        else:
            asked += 1
            if next(known) is None:
                continue
            seen += 1
            answer = next(answers)
            correct = answer >= 0 and upper_words[answer] == event[4]
            counts = semantic if section_id <= SEMANTIC_SECTIONS else syntactic
            counts[0] += correct
            counts[1] += 1
            section_correct += correct
            section_total += 1
            all_correct += correct
            all_total += 1
            if not sections:
                sections.append({"name": "", "correct": 0, "total": 0})
            sections[-1]["correct"] += int(correct)
            sections[-1]["total"] += 1
    out.append("Questions seen / total: %d %d   %s %% \n" % (seen, asked, _c_percent(seen, asked)))
    report = b"".join(x if isinstance(x, bytes) else x.encode("ascii") for x in out)
    return AccuracyResult(report, sections, tuple(semantic), tuple(syntactic), seen, asked,
                          method=method, words=len(vectors))


# ----------------------------------------------------------------------------------
# word-pair similarity
# ----------------------------------------------------------------------------------


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
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            line = raw.decode("utf-8", "surrogateescape").rstrip("\r\n")
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
            pairs.append((fields[0].strip(), fields[1].strip(), score))
    return pairs


def similarity(vectors, pairs, case_insensitive=True):
    """Correlate cosine similarities with human scores.

    ``pairs`` is a list of (word1, word2, score) or the path of a pair file (see
    :func:`read_pairs`). A word is looked up exactly; failing that, and when
    ``case_insensitive``, the first vocabulary word equal to it ignoring case is
    used. Pairs with an unknown word are skipped. Returns a :class:`SimilarityResult`.
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
    return SimilarityResult(len(model), skipped, pearson(model, human), spearman(model, human))


# ----------------------------------------------------------------------------------
# convert
# ----------------------------------------------------------------------------------

_SUFFIX_FORMATS = {".txt": "text", ".vec": "text", ".bin": "binary", ".npy": "npy"}


def format_for_path(path, to=None):
    """Return the output format for ``path``: ``to`` when given, else from the
    suffix (.txt/.vec text, .bin binary, .npy numpy pair). Raises UsageError."""
    if to is not None:
        if to not in ("text", "binary", "npy"):
            raise UsageError(f"unknown format {to!r}; use text, binary or npy")
        return to
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix not in _SUFFIX_FORMATS:
        raise UsageError(f"cannot tell the output format from '{path}': name it .txt, .bin or .npy, or give --to")
    return _SUFFIX_FORMATS[suffix]


def convert(source, target, to=None, normalize=False, limit=None, source_format=None):
    """Convert a vector file between text, binary and the numpy pair.

    ``to`` forces the output format (else the suffix of ``target`` decides);
    ``normalize`` stores unit vectors; ``limit`` keeps the first words only.
    Returns the :class:`Vectors` written.
    """
    target_format = format_for_path(target, to)
    vectors = load(source, format=source_format, limit=limit)
    if normalize:
        vectors = vectors.normalized()
    if target_format == "npy":
        save_npy(target, vectors.words, vectors.vectors)
    else:
        save_vectors(target, vectors.words, vectors.vectors, binary=target_format == "binary")
    return vectors
