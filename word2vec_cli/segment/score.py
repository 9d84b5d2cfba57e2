"""Scoring one segmentation against another (``word2vec segment-score GOLD TEST``).

Both files hold the same text, line by line, with words separated by spaces. For
each line the characters (spaces removed) must be equal; a boundary is a position
between two characters of a line where one word ends and the next begins. Reported:

* boundary precision, recall and F1 (boundaries of TEST that are in GOLD, etc.);
* word precision, recall and F1 (words of TEST whose span is a word of GOLD: the
  usual SIGHAN measure, stricter since a word needs both its ends right).
"""

import dataclasses

from ..errors import Word2VecError
from ..files.inputs import open_input


@dataclasses.dataclass
class SegmentScore:
    """Counts of one comparison; the rates are properties (0 when undefined)."""

    lines: int = 0
    characters: int = 0
    gold_boundaries: int = 0
    test_boundaries: int = 0
    common_boundaries: int = 0
    gold_words: int = 0
    test_words: int = 0
    common_words: int = 0

    @staticmethod
    def _prf(common, test, gold):
        p = common / test if test else 0.0
        r = common / gold if gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def boundary(self):
        """(precision, recall, F1) of the word boundaries."""
        return self._prf(self.common_boundaries, self.test_boundaries, self.gold_boundaries)

    @property
    def word(self):
        """(precision, recall, F1) of the words."""
        return self._prf(self.common_words, self.test_words, self.gold_words)

    def as_dict(self):
        """Return the counts and rates as a JSON-ready dict."""
        out = dataclasses.asdict(self)
        for name in ("boundary", "word"):
            p, r, f = getattr(self, name)
            out[name] = {"precision": round(p, 6), "recall": round(r, 6), "f1": round(f, 6)}
        return out

    def report(self):
        """Return the human-readable report (str, two lines)."""
        bp, br, bf = self.boundary
        wp, wr, wf = self.word
        return (f"boundaries: P {100 * bp:.2f}  R {100 * br:.2f}  F1 {100 * bf:.2f}   "
                f"({self.common_boundaries} of {self.test_boundaries} test, {self.gold_boundaries} gold)\n"
                f"words:      P {100 * wp:.2f}  R {100 * wr:.2f}  F1 {100 * wf:.2f}   "
                f"({self.lines} lines, {self.characters} characters)\n")


def _cuts(words):
    """Return the set of positions after each word but the last, and the set of spans."""
    cuts = []
    position = 0
    for word in words:
        position += len(word)
        cuts.append(position)
    spans = set(zip([0] + cuts[:-1], cuts))
    return set(cuts[:-1]), spans


def score_lines(gold_lines, test_lines, names=("gold", "test")):
    """Score two iterables of lines (str). Returns a :class:`SegmentScore`; raises
    :class:`Word2VecError` on the first line whose characters differ, or when one
    side has more lines."""
    score = SegmentScore()
    number = 0
    gold_iter, test_iter = iter(gold_lines), iter(test_lines)
    while True:
        gold = next(gold_iter, None)
        test = next(test_iter, None)
        if gold is None and test is None:
            return score
        number += 1
        if gold is None or test is None:
            longer = names[1] if gold is None else names[0]
            raise Word2VecError(f"{longer} has more lines than the other (line {number})")
        gold_words, test_words = gold.split(), test.split()
        if "".join(gold_words) != "".join(test_words):
            raise Word2VecError(f"line {number}: the characters of {names[0]} and {names[1]} differ "
                                f"(after removing spaces): {_first_difference(gold_words, test_words)}")
        gold_cuts, gold_spans = _cuts(gold_words)
        test_cuts, test_spans = _cuts(test_words)
        score.lines += 1
        score.characters += sum(map(len, gold_words))
        score.gold_boundaries += len(gold_cuts)
        score.test_boundaries += len(test_cuts)
        score.common_boundaries += len(gold_cuts & test_cuts)
        score.gold_words += len(gold_words)
        score.test_words += len(test_words)
        score.common_words += len(gold_spans & test_spans)


def _first_difference(gold_words, test_words):
    a, b = "".join(gold_words), "".join(test_words)
    k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"character {k + 1}: {a[k:k + 8]!r} vs {b[k:k + 8]!r}"


def _lines(path):
    with open_input(path) as stream:
        carry = b""
        while True:
            block = stream.read(1 << 20)
            if not block:
                break
            data = carry + block
            parts = data.split(b"\n")
            carry = parts.pop()
            for part in parts:
                yield part.decode("utf-8", "replace")
        if carry:
            yield carry.decode("utf-8", "replace")


def score_files(gold, test):
    """Score the segmentation in file ``test`` against file ``gold`` (files,
    compressed files or ``-``). Returns a :class:`SegmentScore`."""
    return score_lines(_lines(gold), _lines(test), names=(gold, test))


__all__ = ["SegmentScore", "score_lines", "score_files"]
