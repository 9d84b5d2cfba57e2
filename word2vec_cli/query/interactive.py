"""The reference's interactive ``distance`` and ``word-analogy`` sessions: prompts,
queries from standard input, result tables to standard output (byte-identical)."""

from ..errors import UsageError
from ..vectors.write import format_c_float
from .space import DEFAULT_RESULTS, METHODS

DISTANCE_PROMPT = b"Enter word or sentence (EXIT to break): "
ANALOGY_PROMPT = b"Enter three words (EXIT to break): "
DISTANCE_HEADER = (b"\n                                              Word       Cosine distance\n"
                   b"------------------------------------------------------------------------\n")
ANALOGY_HEADER = (b"\n                                              Word              Distance\n"
                  b"------------------------------------------------------------------------\n")


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


def _queries(stdin, stdout, prompt):
    """Yield query lines: print ``prompt``, read a line, until ``EXIT`` or end of input."""
    while True:
        stdout.write(prompt)
        stdout.flush()
        line = _read_query(stdin)
        if line is None or line == b"EXIT":
            return
        yield line


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
    for line in _queries(stdin, stdout, DISTANCE_PROMPT):
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
    for line in _queries(stdin, stdout, ANALOGY_PROMPT):
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


