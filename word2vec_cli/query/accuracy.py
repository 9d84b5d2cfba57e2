"""``compute-accuracy``: scoring analogy question files, with the reference's report.

The report is the reference's byte for byte (every count and percentage, ``-nan``
included). All questions of a section are scored with one matrix product per batch
(see :mod:`.space` for how the reference's arithmetic is kept).
"""

import dataclasses
import json

import numpy as np

from ..errors import UsageError
from ..vectors.words import WordVectors
from .space import METHODS, QuerySpace, _answers_add, _answers_mul

#: Sections of questions-words counted as semantic (the rest are syntactic).
SEMANTIC_SECTIONS = 5
#: Sections counted as syntactic wherever they are: CA8's morphological sections
#: (Chinese analogy set; its semantic sections are the first ones, as in English).
SYNTACTIC_NAMES = frozenset((b"A", b"AB", b"prefix", b"suffix"))

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
    #: Questions before the first ``: section`` line (the reference scores them in
    #: the totals without a section of their own; a file without sections is suspect).
    unsectioned: int = 0

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
        vectors = WordVectors(vectors.words[:threshold], vectors.vectors[:threshold], _trusted=True)
    space = QuerySpace(vectors)
    # bytes.upper() changes only the ASCII letters a-z: multi-byte UTF-8 words (Chinese) stay as they are
    upper_words = [space.word_bytes(k).upper() for k in range(len(space))]
    first_position = {}
    for position, word in enumerate(upper_words):
        first_position.setdefault(word, position)

    events = _scan_questions(questions)
    unsectioned = 0
    for event in events:
        if event[0] == _NAME:
            break
        unsectioned += event[0] == _QUESTION
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
    syntactic_name = False
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
            syntactic_name = event[1] in SYNTACTIC_NAMES
            sections.append({"name": event[1].decode("utf-8", "surrogateescape"), "correct": 0, "total": 0})
            section_total = section_correct = 0
        else:
            asked += 1
            if next(known) is None:
                continue
            seen += 1
            answer = next(answers)
            correct = answer >= 0 and upper_words[answer] == event[4]
            counts = semantic if section_id <= SEMANTIC_SECTIONS and not syntactic_name else syntactic
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
                          method=method, words=len(vectors), unsectioned=unsectioned)


def unsectioned_warning(result):
    """Return the one-line warning for questions found before any ``: section`` line,
    or None when every question is in a section."""
    if not result.unsectioned:
        return None
    where = "no ': section' line" if not result.sections or not result.sections[0]["name"] else (
        "questions before the first ': section' line")
    return (f"warning: {where}: {result.unsectioned} question(s) scored without a section "
            "(is this an analogy file such as questions-words.txt?)")


def read_questions(path):
    """Read the question text of ``path`` (``-``: standard input, with a one-line hint
    on stderr when that is a terminal, which would otherwise wait silently). Returns
    bytes; read errors raise :class:`~word2vec_cli.errors.Word2VecError`."""
    import sys

    from ..files.inputs import is_stdin, open_input

    if is_stdin(path):
        try:
            interactive = sys.stdin is not None and sys.stdin.isatty()
        except (OSError, ValueError):
            interactive = False
        if interactive:
            print("reading questions from standard input (Ctrl-D to end)...", file=sys.stderr, flush=True)
    with open_input(path) as stream:
        return stream.read()


