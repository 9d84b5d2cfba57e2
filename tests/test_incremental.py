"""Training a saved model on new text (-init-model, -update-vocab) and -init-vectors."""

import numpy as np
import pytest

from conftest import GOLDEN, run_cli
from word2vec_cli.model.options import TrainOptions
from word2vec_cli.training.checkpoint import load_model
from word2vec_cli.training.driver import train_model

TINY = GOLDEN / "tiny-corpus.txt"


def _planted(path, groups, lines=1500, seed=0):
    """Write a corpus where the words of each group share their contexts: ``groups``
    maps a context pair to the words seen between them."""
    rng = np.random.default_rng(seed)
    keys = list(groups)
    with open(path, "w") as handle:
        for _ in range(lines):
            left, right = keys[rng.integers(len(keys))]
            word = groups[(left, right)][rng.integers(len(groups[(left, right)]))]
            handle.write(f"{left} {word} {right}\n")


def _cosine(result, a, b):
    index = {w: k for k, w in enumerate(result.vocabulary.words)}
    u, v = result.syn0[index[a]], result.syn0[index[b]]
    return float(u @ v / np.linalg.norm(u) / np.linalg.norm(v))


FIRST = {("p", "q"): ["a1", "a2"], ("r", "s"): ["b1", "b2"]}
# relations that exist only in the second batch: new words, and new contexts
SECOND = {("t", "u"): ["c1", "c2"], ("v", "w"): ["d1", "d2"], ("p", "q"): ["a1", "a2"]}


@pytest.mark.parametrize("hs_update", ["graft", "rebuild", "reset"])
@pytest.mark.parametrize("hs,negative", [(1, 0), (0, 3)])
def test_new_words_of_a_second_batch_are_learned(tmp_path, hs, negative, hs_update):
    first, second = tmp_path / "1.txt", tmp_path / "2.txt"
    _planted(first, FIRST)
    _planted(second, SECOND, seed=1)
    model = tmp_path / "m.w2v"
    common = dict(threads=1, debug=0, size=12, min_count=1, sample=0, cbow=0, hs=hs, negative=negative, iter=3)
    before = train_model(TrainOptions(train=str(first), save_model=str(model), **common))
    assert "c1" not in before.vocabulary.words
    after = train_model(TrainOptions(train=str(second), init_model=str(model), update_vocab=1,
                                     hs_update=hs_update, **common))
    words = after.vocabulary.words
    assert {"c1", "c2", "d1", "d2", "t", "u", "v", "w"} <= set(words) and len(words) == len(before.vocabulary) + 8
    assert _cosine(after, "c1", "c2") > _cosine(after, "c1", "d1") + 0.3
    assert _cosine(after, "d1", "d2") > _cosine(after, "d2", "c2") + 0.3
    # old words kept their rows (moved with their ids) and their relation
    assert _cosine(after, "b1", "b2") > 0.5
    old = dict(zip(before.vocabulary.words, before.syn0))
    np.testing.assert_array_equal(after.syn0[words.index("b1")], old["b1"])  # b1 is not in the second batch
    counts = dict(zip(after.vocabulary.words, after.vocabulary.counts))
    assert counts["a1"] == dict(zip(before.vocabulary.words, before.vocabulary.counts))["a1"] + \
        open(second).read().split().count("a1")


def test_without_vocabulary_update_new_words_are_skipped(tmp_path):
    first, second = tmp_path / "1.txt", tmp_path / "2.txt"
    _planted(first, FIRST)
    _planted(second, SECOND, seed=1)
    model = tmp_path / "m.w2v"
    common = dict(threads=1, debug=0, size=12, min_count=1, sample=0, cbow=0, iter=2)
    before = train_model(TrainOptions(train=str(first), save_model=str(model), **common))
    after = train_model(TrainOptions(train=str(second), init_model=str(model), save_model=str(model), **common))
    assert after.vocabulary.words == before.vocabulary.words
    assert after.words_trained > 0 and not np.array_equal(after.syn0, before.syn0)
    assert load_model(model).meta["epoch_words"] == sum(1 for w in open(second).read().split()
                                                        if w in ("p", "q", "a1", "a2")) + 1500


def test_grafted_tree_is_a_binary_tree_keeping_the_old_paths():
    from word2vec_cli.model.huffman import HuffmanCodes
    from word2vec_cli.training.incremental import graft_tree

    old_counts = np.array([50, 40, 30, 20, 10, 5])
    old = HuffmanCodes(old_counts)
    old_tree = (old.codes, old.points, old.lengths)
    # final vocabulary: the old words moved (ids permuted), three new ones added
    old_to_final = np.array([0, 2, 1, 4, 5, 8])
    new_ids = np.array([3, 6, 7])
    counts = np.array([50, 30, 40, 25, 20, 10, 9, 8, 5])
    codes, points, lengths = graft_tree(old_tree, old_to_final, new_ids, counts)
    n = len(counts)
    paths = {}
    for word in range(n):
        length = lengths[word]
        assert points[word, 0] == n - 2
        key = tuple(codes[word, :length])
        assert key not in paths  # prefix codes: no two words share a path
        paths[key] = word
    for old_word, final in enumerate(old_to_final):
        length = old.lengths[old_word]
        assert lengths[final] == length + 1 and codes[final, 0] == 0
        np.testing.assert_array_equal(points[final, 1:length + 1], old.points[old_word, :length])
        np.testing.assert_array_equal(codes[final, 1:length + 1], old.codes[old_word, :length])
    assert all(codes[w, 0] == 1 for w in new_ids)
    inner = {int(points[w, k]) for w in range(n) for k in range(lengths[w])}
    assert inner == set(range(n - 1))  # V - 1 inner nodes, rows 0 .. V - 2


def test_init_vectors_copies_known_rows_and_checks_the_size(tmp_path):
    vectors = tmp_path / "pre.txt"
    vectors.write_text("2 12\nthe " + " ".join(["0.5"] * 12) + "\nzzzunknown " + " ".join(["1"] * 12) + "\n")
    common = dict(train=str(TINY), threads=1, debug=0, size=12, iter=1)
    plain = train_model(TrainOptions(**common, alpha=1e-9))
    started = train_model(TrainOptions(**common, alpha=1e-9, init_vectors=str(vectors)))
    the = plain.vocabulary.words.index("the")
    np.testing.assert_allclose(started.syn0[the], 0.5, atol=1e-5)
    other = [k for k in range(len(plain.syn0)) if k != the]
    np.testing.assert_array_equal(started.syn0[other], plain.syn0[other])
    result = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-size", 20, "-init-vectors", vectors)
    assert result.returncode == 1 and b"-size 20" in result.stderr and result.stderr.count(b"\n") == 1


def test_init_model_keeps_the_model_shape(tmp_path):
    model = tmp_path / "m.w2v"
    train_model(TrainOptions(train=str(TINY), save_model=str(model), threads=1, debug=0, size=12, iter=1))
    result = run_cli("-init-model", model, "-train", TINY, "-size", 30, "-output", tmp_path / "v.txt")
    assert result.returncode == 2 and b"-size 30 differs" in result.stderr
    result = run_cli("-init-model", model, "-train", TINY, "-output", tmp_path / "v.txt", "-threads", 2,
                     "-save-model", tmp_path / "m2.w2v", "-debug", 0, "-alpha-schedule", "continue")
    assert result.returncode == 0, result.stderr
    # continued from the rate the first run ended at (published every 10,000 words)
    ended = float(load_model(model).state.alphas.mean())
    assert ended < 0.05 and load_model(tmp_path / "m2.w2v").options.alpha == pytest.approx(ended)


def test_python_api_model_load_train_save(tmp_path):
    import word2vec_cli

    first, second = tmp_path / "1.txt", tmp_path / "2.txt"
    _planted(first, FIRST)
    _planted(second, SECOND, seed=1)
    model = word2vec_cli.Model.fit(first, min_count=1, size=12, threads=1, cbow=0, sample=0, iter=2)
    assert "c1" not in model.vectors.words
    model.save(tmp_path / "m.w2v")
    again = word2vec_cli.Model.load(tmp_path / "m.w2v").train(second, min_count=1)
    assert {"c1", "d1"} <= set(again.vectors.words) and again.options.size == 12
    again.save(tmp_path / "m2.w2v")
    assert word2vec_cli.Model.load(tmp_path / "m2.w2v").vectors.most_similar("c1", 1)[0][0] == "c2"
    with pytest.raises(word2vec_cli.Word2VecError):
        word2vec_cli.Model.load(first)
