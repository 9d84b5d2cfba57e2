"""Reading the printout of ``word2vec accuracy`` (and of the reference's
``compute-accuracy``) back into numbers, for the demo, the benchmarks and the tests."""

import re

_NUMBER = r"([-+]?(?:nan|inf|[0-9.]+))"  # %.2f of 0/0 prints "-nan"
_TOTAL_RE = re.compile(rf"Total accuracy:\s*{_NUMBER}\s*%\s*Semantic accuracy:\s*{_NUMBER}\s*%"
                       rf"\s*Syntactic accuracy:\s*{_NUMBER}\s*%")
_SEEN_RE = re.compile(r"Questions seen / total:\s*(\d+)\s+(\d+)")


def parse_accuracy_output(text: str) -> dict:
    """Read compute-accuracy output: the last ``Total accuracy`` line and the questions seen.

    Returns a dict with ``total``, ``semantic``, ``syntactic`` (percent, floats; NaN
    when a part had no question),
    ``seen`` and ``questions`` (ints); keys are missing when the text lacks them.
    """
    result: dict = {}
    totals = _TOTAL_RE.findall(text)
    if totals:
        result["total"], result["semantic"], result["syntactic"] = map(float, totals[-1])
    seen = _SEEN_RE.findall(text)
    if seen:
        result["seen"], result["questions"] = map(int, seen[-1])
    return result
