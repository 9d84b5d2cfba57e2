"""Fast tests of scripts/make_demo_corpus.py, the generator of the demo corpus.

No training here: only the files it writes (determinism, size, format, coverage of
the analogy questions by the corpus). The end-to-end test that trains on the
generated corpus lives elsewhere.
"""

import collections
import importlib.util
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_demo_corpus.py"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_demo_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


gen = _load_generator()

MIN_COUNT = 5
WORD = re.compile(r"^[a-z]+$")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The small corpus the end-to-end test trains on, generated once for this module."""
    out = tmp_path_factory.mktemp("small")
    corpus, questions = gen.generate(out, n_tokens=gen.SMALL_TOKENS, seed=1)
    return out, corpus, questions


def _read_questions(path):
    sections, current = [], None
    for line in path.read_text(encoding="ascii").splitlines():
        if line.startswith(":"):
            current = (line[1:].strip(), [])
            sections.append(current)
        else:
            current[1].append(line.split(" "))
    return sections


def test_same_seed_same_bytes(tmp_path):
    first = gen.generate(tmp_path / "a", n_tokens=60_000, seed=7)
    second = gen.generate(tmp_path / "b", n_tokens=60_000, seed=7)
    for p, q in zip(first, second):
        assert p.read_bytes() == q.read_bytes()


def test_other_seed_other_corpus(tmp_path):
    corpus_a, questions_a = gen.generate(tmp_path / "a", n_tokens=60_000, seed=1)
    corpus_b, questions_b = gen.generate(tmp_path / "b", n_tokens=60_000, seed=2)
    assert corpus_a.read_bytes() != corpus_b.read_bytes()
    assert questions_a.read_bytes() != questions_b.read_bytes()


def test_prefix_of_larger_corpus_differs_only_in_length(tmp_path):
    """The size changes how much is written, not the world (same questions)."""
    _, q_small = gen.generate(tmp_path / "a", n_tokens=20_000, seed=3)
    _, q_large = gen.generate(tmp_path / "b", n_tokens=90_000, seed=3)
    assert q_small.read_bytes() == q_large.read_bytes()


@pytest.mark.parametrize("n_tokens", [1, 10_000, 123_457])
def test_token_count_near_request(tmp_path, n_tokens):
    corpus, _ = gen.generate(tmp_path, n_tokens=n_tokens, seed=1)
    count = len(corpus.read_bytes().split())
    assert n_tokens <= count < n_tokens + 40  # cut after the sentence that reaches the request


def test_corpus_format(small):
    _, corpus, _ = small
    data = corpus.read_bytes()
    assert data.endswith(b"\n")
    lines = data.decode("ascii").split("\n")[:-1]
    assert len(lines) > 10_000
    for line in lines:
        assert line and line == line.strip() and "  " not in line
        assert all(WORD.match(w) for w in line.split(" ")), line


def test_questions_well_formed(small):
    _, _, questions = small
    sections = _read_questions(questions)
    assert [name for name, _ in sections] == [s[0] for s in gen.SECTIONS]
    assert len(sections) > gen.N_SEMANTIC  # semantic sections first, then syntactic
    for name, lines in sections:
        assert len(lines) >= 100, name
        assert len({tuple(q) for q in lines}) == len(lines), name
        for q in lines:
            assert len(q) == 4 and all(WORD.match(w) for w in q), (name, q)
            assert len(set(q)) == 4, (name, q)
        # the pairs of a section are consistent: a word is always paired with the same word
        pairs = {}
        for a, b, c, d in lines:
            assert pairs.setdefault(a, b) == b and pairs.setdefault(c, d) == d


def test_every_question_word_is_frequent_enough(small):
    _, corpus, questions = small
    counts = collections.Counter(corpus.read_bytes().split())
    for name, lines in _read_questions(questions):
        for word in {w for q in lines for w in q}:
            assert counts[word.encode()] >= MIN_COUNT * 10, (name, word, counts[word.encode()])


def test_parameters_recorded_and_cache_check(small, tmp_path):
    out, _, _ = small
    assert gen.is_up_to_date(out, gen.SMALL_TOKENS, 1)
    assert not gen.is_up_to_date(out, gen.SMALL_TOKENS, 2)
    assert not gen.is_up_to_date(out, gen.DEFAULT_TOKENS, 1)
    assert not gen.is_up_to_date(tmp_path / "empty", gen.SMALL_TOKENS, 1)


def test_command_line(tmp_path):
    run = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path), "--tokens", "5000",
                          "--seed", "4"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "corpus.txt").is_file() and (tmp_path / "questions.txt").is_file()
    again = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path), "--tokens", "5000",
                            "--seed", "4"], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "up to date" in again.stdout


def test_rejects_empty_request(tmp_path):
    with pytest.raises(ValueError):
        gen.generate(tmp_path, n_tokens=0)


def test_parse_accuracy_output():
    text = ("capital-world:\nACCURACY TOP1: 97.50 %  (370 / 380)\n"
            "Total accuracy: 97.50 %   Semantic accuracy: 97.50 %   Syntactic accuracy: 0.00 % \n"
            "family:\nACCURACY TOP1: 90.00 %  (216 / 240)\n"
            "Total accuracy: 94.52 %   Semantic accuracy: 94.52 %   Syntactic accuracy: 0.00 % \n"
            "Questions seen / total: 620 620   100.00 % \n")
    assert gen.parse_accuracy_output(text) == {"total": 94.52, "semantic": 94.52, "syntactic": 0.0,
                                               "seen": 620, "questions": 620}
    assert gen.parse_accuracy_output("nothing here") == {}
    only_syntactic = gen.parse_accuracy_output(
        "Total accuracy: 50.00 %   Semantic accuracy: -nan %   Syntactic accuracy: 50.00 % \n")
    assert only_syntactic["total"] == 50.0 and math.isnan(only_syntactic["semantic"])
