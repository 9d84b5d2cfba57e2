"""The query tools: distance, analogy, accuracy, similarity, convert (library and CLI)."""

import io
import json

import numpy as np
import pytest
from click.testing import CliRunner

from word2vec_cli.cli.query import (accuracy_command, analogy_command, convert_command, distance_command,
                                    similarity_command)
import word2vec_cli
from word2vec_cli.errors import UsageError, Word2VecError
from word2vec_cli.api import Vectors
from word2vec_cli.query.accuracy import accuracy
from word2vec_cli.query.interactive import run_analogy, run_distance, split_like_reference
from word2vec_cli.query.similarity import average_ranks, pearson, similarity, spearman
from word2vec_cli.query.space import QuerySpace
from word2vec_cli.vectors.convert import convert
from word2vec_cli.vectors.read import load
from word2vec_cli.vectors.write import save_vectors

from conftest import FIXTURES, SHARED

SMALL_BIN = FIXTURES / "small-cbow.bin"
QUESTIONS = SHARED / "data" / "questions-words.txt"

DISTANCE_PROMPT = b"Enter word or sentence (EXIT to break): "
ANALOGY_PROMPT = b"Enter three words (EXIT to break): "


@pytest.fixture(scope="module")
def small():
    """The reference's small-cbow vectors, prepared for queries."""
    return QuerySpace(load(SMALL_BIN))


def questions_words():
    if not QUESTIONS.exists():
        pytest.skip("../shared/data/questions-words.txt is not available")
    return QUESTIONS.read_bytes()


def invoke(command, args, input=None):
    """Run a click command in-process; return the click Result."""
    return CliRunner().invoke(command, [str(a) for a in args], input=input)


# --------------------------------------------------------------------------- byte-exact vs the reference


def test_distance_matches_the_reference(small):
    out = io.BytesIO()
    run_distance(small, io.BytesIO((FIXTURES / "distance-queries.txt").read_bytes()), out)
    assert out.getvalue() == (FIXTURES / "small-cbow.distance.out").read_bytes()


def test_analogy_matches_the_reference(small):
    out = io.BytesIO()
    run_analogy(small, io.BytesIO((FIXTURES / "analogy-queries.txt").read_bytes()), out)
    assert out.getvalue() == (FIXTURES / "small-cbow.analogy.out").read_bytes()


def test_distance_and_analogy_commands_match_the_reference():
    result = invoke(distance_command, [SMALL_BIN], input=(FIXTURES / "distance-queries.txt").read_bytes())
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == (FIXTURES / "small-cbow.distance.out").read_bytes()
    result = invoke(analogy_command, [SMALL_BIN], input=(FIXTURES / "analogy-queries.txt").read_bytes())
    assert result.stdout_bytes == (FIXTURES / "small-cbow.analogy.out").read_bytes()


@pytest.mark.parametrize("threshold, golden", [(0, "small-cbow.accuracy.out"), (2000, "small-cbow.accuracy-2000.out")])
def test_accuracy_matches_the_reference(threshold, golden):
    report = accuracy(load(SMALL_BIN), questions_words(), threshold=threshold).report
    assert report == (FIXTURES / golden).read_bytes()


def test_accuracy_command_reads_stdin_or_a_file():
    data = questions_words()
    result = invoke(accuracy_command, [SMALL_BIN, 2000], input=data)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == (FIXTURES / "small-cbow.accuracy-2000.out").read_bytes()
    result = invoke(accuracy_command, [SMALL_BIN, "--questions", QUESTIONS, "--json"])
    figures = json.loads(result.stdout_bytes)
    assert figures["questions_seen"] == 525 and figures["questions_total"] == 19544
    assert figures["total"]["correct"] == 36 and figures["total"]["total"] == 525
    family = [s for s in figures["sections"] if s["name"] == "family"][0]
    assert (family["correct"], family["total"], family["accuracy"]) == (18, 30, 60.0)
    assert figures["sections"][0]["accuracy"] is None


# --------------------------------------------------------------------------- distance and analogy sessions


def test_split_like_reference():
    assert split_like_reference(b"a b") == [b"a", b"b"]
    assert split_like_reference(b"a  b") == [b"a", b" b"]
    assert split_like_reference(b" a") == [b" a"]
    assert split_like_reference(b"man ") == [b"man", b""]
    assert split_like_reference(b"") == [b""]
    assert split_like_reference("x y z") == ["x", "y", "z"]


def test_distance_piped_queries_end_at_end_of_input(small):
    out = io.BytesIO()
    answered = run_distance(small, io.BytesIO(b"man\nwater fire\r\nking"), out, n=3)
    text = out.getvalue()
    assert answered == 3
    assert text.count(DISTANCE_PROMPT) == 4  # one more prompt, then end of input
    assert text.endswith(DISTANCE_PROMPT)
    assert b"Word: water  Position in vocabulary: " in text and b"Word: fire  Position" in text
    assert text.count(b"Cosine distance") == 3
    assert b"\n                                             woman\t\t0.883745\n" in text


def test_distance_unknown_word_and_short_vocabulary():
    vectors = Vectors(["</s>", "a", "b", "c"], [[1, 0], [1, 0.1], [0, 1], [-1, 0]])
    space = QuerySpace(vectors)
    out = io.BytesIO()
    run_distance(space, io.BytesIO(b"a zz b\nb\nEXIT\nnever read\n"), out, n=5)
    lines = out.getvalue().split(b"\n")
    assert b"Word: zz  Position in vocabulary: -1" in lines
    assert b"Out of dictionary word!" in lines
    assert b"Word: b  Position in vocabulary: 2" in lines
    rows = [line for line in lines if b"\t\t" in line]
    # b's neighbours: a, </s> (cosine > -1), c; the rest are the reference's empty rows
    assert [r.split(b"\t\t")[0].strip() for r in rows] == [b"a", b"</s>", b"c", b"", b""]
    assert rows[-1] == b" " * 50 + b"\t\t-1.000000"


def test_analogy_messages_and_entry_zero(small):
    out = io.BytesIO()
    run_analogy(small, io.BytesIO(b"man king\n</s> king woman\nman king woman queen\n"), out, n=2)
    text = out.getvalue()
    assert b"Only 2 words were entered.. three words are needed at the input to perform the calculation\n" in text
    assert b"Word: </s>  Position in vocabulary: 0\nOut of dictionary word!\n" in text
    assert b"Word: queen  Position in vocabulary: " in text  # a fourth word is looked up and excluded
    assert text.endswith(ANALOGY_PROMPT)


def test_library_queries(small):
    nearest = small.most_similar("man", n=3)
    assert [w for w, _ in nearest] == ["woman", "child", "boy"]
    assert nearest[0][1] == pytest.approx(0.883745, abs=1e-6)
    answers = word2vec_cli.load(SMALL_BIN).analogy("man", "king", "woman", n=2)
    assert [w for w, _ in answers] == ["goal", "defeat"]
    with pytest.raises(KeyError):
        small.most_similar(["man", "notaword"])


# --------------------------------------------------------------------------- 3CosMul


def cosmul_vectors():
    """A hand-made set where b - a + c and 3CosMul disagree."""
    words = ["</s>", "a", "b", "c", "x", "y"]
    matrix = [[0.1, -0.4, 0.5], [1.0, 0.2, -0.8], [0.6, 0.3, 0.0], [0.3, -0.5, -0.4], [0.0, -0.9, 0.2],
              [-0.6, -0.5, 0.8]]
    return Vectors(words, matrix)


def brute_force(vectors, a, b, c, method):
    unit = vectors.normalized().vectors.astype(np.float64)
    ia, ib, ic = (vectors.index(w) for w in (a, b, c))
    if method == "add":
        scores = unit @ (unit[ib] - unit[ia] + unit[ic])
    else:
        cos = (unit @ unit.T + 1) / 2
        scores = cos[ib] * cos[ic] / (cos[ia] + 0.001)
    scores[[ia, ib, ic]] = -np.inf
    return vectors.words[int(np.argmax(scores))]


def test_3cosmul_differs_from_add_on_a_hand_made_set():
    vectors = cosmul_vectors()
    add = vectors.analogy("a", "b", "c", n=2)
    mul = vectors.analogy("a", "b", "c", n=2, method="mul")
    assert add[0][0] == "x" == brute_force(vectors, "a", "b", "c", "add")
    assert mul[0][0] == "y" == brute_force(vectors, "a", "b", "c", "mul")
    cos = (vectors.normalized().vectors.astype(np.float64) @ vectors.normalized().vectors.T.astype(np.float64) + 1) / 2
    assert mul[0][1] == pytest.approx(cos[2, 5] * cos[3, 5] / (cos[1, 5] + 0.001))
    questions = b": test\na b c y\na b c x\n"
    assert accuracy(vectors, questions, method="mul").as_dict()["total"]["correct"] == 1
    assert b"(1 / 2)" in accuracy(vectors, questions, method="mul").report
    assert b"(1 / 2)" in accuracy(vectors, questions, method="add").report
    out = io.BytesIO()
    run_analogy(QuerySpace(vectors), io.BytesIO(b"a b c\n"), out, n=1, method="mul")
    assert b"\n                                                 y\t\t" in out.getvalue()


# --------------------------------------------------------------------------- accuracy rules


def reference_accuracy_answers(vectors, questions):
    """The reference's compute-accuracy loop in plain Python float32 (slow, small sets)."""
    unit = []
    for row in vectors.vectors:
        length = np.float32(0)
        blocked = len(row) - len(row) % 4
        for k, x in enumerate(row):
            # the reference's vectorised length: rounded products, then fused ones
            length = np.float32(length + x * x) if k < blocked else np.float32(float(x) * float(x) + float(length))
        unit.append(row / np.sqrt(length))
    upper = [w.upper() for w in vectors.words]
    answers = []
    for a, b, c in questions:
        ia, ib, ic = (upper.index(w) for w in (a, b, c))
        query = (unit[ib] - unit[ia]) + unit[ic]
        best, best_score = "", np.float32(0)
        for j, row in enumerate(unit):
            if j in (ia, ib, ic):
                continue
            score = np.float32(0)
            for x, y in zip(query, row):
                score = np.float32(score + np.float32(x * y))
            if score > best_score:
                best, best_score = upper[j], score
        answers.append(best)
    return answers


def test_accuracy_agrees_with_a_plain_reimplementation():
    rng = np.random.default_rng(7)
    words = ["</s>"] + [f"w{i}" for i in range(1, 150)]
    matrix = np.round(rng.standard_normal((150, 6)), 1).astype(np.float32)  # rounding makes near-ties
    vectors = Vectors(words, matrix)
    picks = rng.integers(1, 150, (60, 4))
    lines = [" ".join(words[i].upper() for i in row) for row in picks]
    report = accuracy(vectors, ("\n".join([": one"] + lines) + "\n").encode()).report
    expected = reference_accuracy_answers(vectors, [tuple(words[i].upper() for i in row[:3]) for row in picks])
    correct = sum(answer == words[row[3]].upper() for answer, row in zip(expected, picks))
    assert b"ACCURACY TOP1: %.2f %%  (%d / 60)" % (np.float32(correct) / np.float32(60) * np.float32(100),
                                                   correct) in report


def test_accuracy_counting_rules():
    # upper-casing: "Paris" and "PARIS" are one word to the reference; the first wins
    words = ["</s>", "king", "queen", "man", "woman", "Paris", "PARIS", "france", "berlin", "germany"]
    rng = np.random.default_rng(3)
    vectors = Vectors(words, rng.standard_normal((len(words), 4)))
    questions = (b": capital\nparis france berlin germany\nparis france berlin unknownword\n"
                 b": empty\nzz yy xx ww\n: family\nMAN WOMAN KING QUEEN\n")
    result = accuracy(vectors, questions)
    lines = result.report.decode().splitlines()
    assert lines[0] == "capital:"
    assert lines[3] == "empty:"
    assert lines[4] == "ACCURACY TOP1: 0.00 %  (0 / 1)"  # the reference's guard against 0/0
    assert lines[-1] == "Questions seen / total: 2 4   50.00 % "
    assert (result.questions_seen, result.questions_total) == (2, 4)
    assert [s["total"] for s in result.sections] == [1, 0, 1]
    # all sections are semantic (the first five), so syntactic accuracy is 0/0
    assert lines[-2].endswith("Syntactic accuracy: -nan % ")


def test_accuracy_threshold_restricts_the_vocabulary():
    words = ["</s>", "a", "b", "c", "d", "e"]
    vectors = Vectors(words, np.eye(6, 3, dtype=np.float32) + 0.1)
    assert accuracy(vectors, b": s\na b c d\n", threshold=4).questions_seen == 0
    assert accuracy(vectors, b": s\na b c d\n", threshold=5).questions_seen == 1
    with pytest.raises(UsageError):
        accuracy(vectors, b"", threshold=-1)


# --------------------------------------------------------------------------- similarity


def angle_vectors():
    """cos(a, a2) = 1, cos(a, b) = cos(b, d) = 1/sqrt(2) (computed alike, so an exact
    tie), cos(a, c) = 0."""
    return Vectors(["a", "a2", "b", "c", "d"], [[1, 0], [2, 0], [1, 1], [0, 1], [0, 1]])


def test_similarity_against_hand_computed_correlations(tmp_path):
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("# word pairs\nWord 1\tWord 2\tHuman\n\na\ta2\t10\nA b 6\n"
                     "a\tc\t1\nb\td\t8\nunknown\ta\t5\n")
    result = similarity(angle_vectors(), pairs)
    assert (result.pairs_used, result.pairs_skipped) == (4, 1)
    # model cosines [1, s, 0, s] with s = 1/sqrt(2), human [10, 6, 1, 8]
    # Pearson: with mean(x) = (1 + 2s)/4 and mean(y) = 6.25, by the definition;
    # Spearman: ranks [4, 2.5, 1, 2.5] vs [4, 2, 1, 3]: cov 4.5 / sqrt(4.5 * 5)
    s = 1 / np.sqrt(2)
    x, y = np.array([1, s, 0, s]), np.array([10, 6, 1, 8])
    dx, dy = x - (1 + 2 * s) / 4, y - 6.25
    assert result.pearson == pytest.approx((dx * dy).sum() / np.sqrt((dx * dx).sum() * (dy * dy).sum()), abs=1e-6)
    assert result.pearson == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-6)
    assert result.spearman == pytest.approx(4.5 / np.sqrt(4.5 * 5.0), abs=1e-6)
    exact = similarity(angle_vectors(), pairs, case_insensitive=False)
    assert (exact.pairs_used, exact.pairs_skipped) == (3, 2)


def test_rank_helpers():
    assert average_ranks([3, 1, 3, 2]).tolist() == [3.5, 1.0, 3.5, 2.0]
    assert spearman([1, 2, 3], [30, 20, 10]) == pytest.approx(-1.0)
    assert np.isnan(pearson([1, 1, 1], [1, 2, 3]))


def test_similarity_bad_lines(tmp_path):
    pairs = tmp_path / "bad.txt"
    pairs.write_text("a\tb\t1\na\tb\tlots\n")
    with pytest.raises(Word2VecError, match="line 2: score 'lots' is not a number"):
        similarity(angle_vectors(), pairs)
    pairs.write_text("a\tb\n")
    with pytest.raises(Word2VecError, match="line 1: expected"):
        similarity(angle_vectors(), pairs)


def test_similarity_command(tmp_path):
    save_vectors(tmp_path / "v.txt", angle_vectors().words, angle_vectors().vectors)
    (tmp_path / "pairs.txt").write_text("a a2 10\na b 6\na c 1\nb d 8\n")
    result = invoke(similarity_command, [tmp_path / "v.txt", tmp_path / "pairs.txt"])
    assert result.exit_code == 0, result.output
    assert "Pairs used: 4   skipped (unknown words): 0" in result.output
    assert "Spearman: 0.9487" in result.output
    result = invoke(similarity_command, [tmp_path / "v.txt", tmp_path / "pairs.txt", "--json"])
    assert json.loads(result.output)["pairs_used"] == 4


# --------------------------------------------------------------------------- convert


def test_convert_round_trips(tmp_path):
    original = load(SMALL_BIN)
    convert(SMALL_BIN, tmp_path / "v.txt")
    convert(tmp_path / "v.txt", tmp_path / "v.npy")
    convert(tmp_path / "v.npy", tmp_path / "v.bin")
    convert(tmp_path / "v.bin", tmp_path / "again.txt")
    assert (tmp_path / "again.txt").read_bytes() == (tmp_path / "v.txt").read_bytes()
    back = load(tmp_path / "v.bin")
    assert back.words == original.words
    np.testing.assert_allclose(back.vectors, original.vectors, atol=5e-7)
    convert(SMALL_BIN, tmp_path / "exact.npy")
    assert np.array_equal(load(tmp_path / "exact.npy").vectors, original.vectors)
    convert(SMALL_BIN, tmp_path / "exact.out", to="binary")
    assert (tmp_path / "exact.out").read_bytes() == SMALL_BIN.read_bytes()


def test_convert_normalize_and_limit(tmp_path):
    vectors = Vectors(["a", "zero", "b"], [[3, 4], [0, 0], [0, -2]])
    save_vectors(tmp_path / "v.bin", vectors.words, vectors.vectors, binary=True)
    result = invoke(convert_command, [tmp_path / "v.bin", tmp_path / "u.npy", "--normalize"])
    assert result.exit_code == 0, result.output
    unit = load(tmp_path / "u.npy")
    np.testing.assert_allclose(unit.vectors, [[0.6, 0.8], [0, 0], [0, -1]], rtol=1e-6)
    invoke(convert_command, [tmp_path / "v.bin", tmp_path / "two.txt", "--limit", 2])
    assert (tmp_path / "two.txt").read_bytes() == b"2 2\na 3.000000 4.000000 \nzero 0.000000 0.000000 \n"


def test_convert_errors(tmp_path):
    with pytest.raises(UsageError):
        convert(SMALL_BIN, tmp_path / "out.weird")
    result = invoke(convert_command, [SMALL_BIN, tmp_path / "out.weird"])
    assert isinstance(result.exception, UsageError)
    result = invoke(convert_command, [SMALL_BIN, SMALL_BIN, "--to", "binary"])
    assert isinstance(result.exception, UsageError)
    assert not (tmp_path / "out.weird").exists()


# --------------------------------------------------------------------------- command-line errors


def test_commands_report_bad_files(tmp_path):
    result = invoke(distance_command, [tmp_path / "missing.bin"], input=b"")
    assert isinstance(result.exception, Word2VecError) and "not found" in str(result.exception)
    (tmp_path / "bad.bin").write_bytes(b"x y\n")
    result = invoke(accuracy_command, [tmp_path / "bad.bin"], input=b"")
    assert isinstance(result.exception, Word2VecError) and "line 1" in str(result.exception)
    result = invoke(accuracy_command, [SMALL_BIN, "--questions", tmp_path / "none.txt"])
    assert isinstance(result.exception, Word2VecError)
    result = invoke(analogy_command, [SMALL_BIN, "--method", "div"], input=b"")
    assert result.exit_code == 2  # click's own usage error


def test_distance_command_options(tmp_path):
    result = invoke(distance_command, [SMALL_BIN, "-n", 2, "--limit", 500], input=b"man\n")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout_bytes.split(b"\n") if b"\t\t" in line]
    assert len(lines) == 2
    assert b"Position in vocabulary: 155" in result.stdout_bytes
