"""End to end: vectors trained on a generated corpus learn its planted relations."""

import sys

import pytest

from conftest import REPO, run_cli

sys.path.insert(0, str(REPO / "scripts"))
import make_demo_corpus  # noqa: E402


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    return make_demo_corpus.generate(folder, n_tokens=make_demo_corpus.SMALL_TOKENS, seed=1)


@pytest.mark.slow
def test_cbow_learns_the_planted_analogies(planted, tmp_path):
    corpus, questions = planted
    vectors = tmp_path / "vectors.bin"
    result = run_cli("-train", corpus, "-output", vectors, *make_demo_corpus.TRAIN_FLAGS, "-threads", 2,
                     "-binary", 1, "-debug", 0)
    assert result.returncode == 0, result.stderr
    scored = run_cli("accuracy", vectors, 30000, input=questions.read_bytes())
    assert scored.returncode == 0, scored.stderr
    figures = make_demo_corpus.parse_accuracy_output(scored.stdout.decode())
    assert figures["seen"] == figures["questions"]  # every planted word is in the vocabulary
    assert figures["total"] >= 80.0, figures


@pytest.mark.slow
def test_untrained_vectors_do_not_pass(planted, tmp_path):
    """The accuracy bar above is meaningful: one epoch at a tiny learning rate fails it."""
    corpus, questions = planted
    vectors = tmp_path / "vectors.bin"
    result = run_cli("-train", corpus, "-output", vectors, "-iter", 1, "-alpha", "0.0001", "-threads", 2,
                     "-binary", 1, "-debug", 0)
    assert result.returncode == 0, result.stderr
    scored = run_cli("accuracy", vectors, 30000, input=questions.read_bytes())
    assert make_demo_corpus.parse_accuracy_output(scored.stdout.decode())["total"] < 50.0
