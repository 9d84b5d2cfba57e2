"""The gensim-style API: KeyedVectors queries and evaluations, the Word2Vec class,
and (where gensim is installed) the same script run with gensim's classes and ours."""

import math

import numpy as np
import pytest

import word2vec_cli
from word2vec_cli import CallbackAny2Vec, KeyedVectors, Word2Vec, Word2VecError
from word2vec_cli.query.gensim_eval import pearson, spearman

# ------------------------------------------------------------------ small inputs


def planted_sentences(n_sentences=1500, seed=0):
    """Sentences from three topics whose words co-occur (so that nearest words are
    the topic's), each a list of str."""
    rng = np.random.default_rng(seed)
    topics = [[f"{name}{k}" for k in range(12)] for name in ("fruit", "tool", "city")]
    sentences = []
    for _ in range(n_sentences):
        topic = topics[rng.integers(3)]
        sentences.append([topic[j] for j in rng.integers(0, 12, size=10)])
    return sentences


class Corpus:
    """A generator-backed re-iterable corpus, the way gensim's tutorials write one."""

    def __init__(self, n_sentences=1500, seed=0):
        self.n_sentences, self.seed = n_sentences, seed
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        yield from planted_sentences(self.n_sentences, self.seed)


def hand_vectors():
    """Eight words in 3-D with known geometry."""
    words = ["</s>", "man", "woman", "king", "queen", "apple", "pear", "Paris"]
    matrix = np.array([[0.1, 0.1, 0.1], [1.0, 0.0, 0.2], [0.0, 1.0, 0.2], [1.0, 0.1, 1.0], [0.1, 1.0, 1.0],
                       [-1.0, -0.2, 0.0], [-0.9, -0.3, 0.1], [0.3, -1.0, 0.5]], dtype=np.float32)
    return KeyedVectors(words, matrix)


def expected_most_similar(kv, positive, negative, weights=None):
    """most_similar by its definition, in float64."""
    unit = kv.vectors.astype(np.float64) / np.linalg.norm(kv.vectors.astype(np.float64), axis=1)[:, None]
    items = [(w, 1.0) for w in positive] + [(w, -1.0) for w in negative]
    mean = sum(weight * unit[kv.key_to_index[w]] for w, weight in items) / len(items)
    scores = unit @ (mean / np.linalg.norm(mean))
    used = {kv.key_to_index[w] for w, _ in items}
    order = [k for k in np.argsort(-scores) if k not in used]
    return [(kv.index_to_key[k], scores[k]) for k in order]


# ------------------------------------------------------------------ KeyedVectors, no gensim needed


def test_keyedvectors_queries_follow_gensims_definitions():
    kv = hand_vectors()
    got = kv.most_similar(positive=["woman", "king"], negative=["man"], topn=3)
    want = expected_most_similar(kv, ["woman", "king"], ["man"])[:3]
    assert [w for w, _ in got] == [w for w, _ in want] and got[0][0] == "queen"
    assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-6)
    # a vector query, a (key, weight) pair, a bare word, restrict_vocab and topn=None
    vector = kv["queen"] * 3
    assert kv.most_similar(positive=[vector], topn=1)[0][0] == "queen"
    assert kv.similar_by_vector(vector, topn=2)[0] == kv.most_similar(vector, topn=2)[0]
    unit = kv.get_normed_vectors()
    weighted = 2 * unit[5] + unit[6]
    top = kv.most_similar([("apple", 2.0), "pear"], topn=1)[0]
    assert top[0] == "Paris" and top[1] == pytest.approx(float(unit[7] @ weighted / np.linalg.norm(weighted)), abs=1e-6)
    assert [w for w, _ in kv.most_similar("man", restrict_vocab=4)] == ["king", "</s>", "woman"]
    assert kv.most_similar("man", topn=None).shape == (8,)
    assert kv.similar_by_word("apple", topn=1)[0][0] == "pear"
    with pytest.raises(KeyError):
        kv.most_similar(positive=["man", "notaword"])
    # cosmul: (1 + cos) / 2 multiplied, divided by the negatives' plus 1e-6
    shifted = (1 + unit @ unit[[2, 3, 1]].T) / 2
    cosmul = shifted[:, 0] * shifted[:, 1] / (shifted[:, 2] + 1e-6)
    top = kv.most_similar_cosmul(positive=["woman", "king"], negative=["man"], topn=1)[0]
    assert top[0] == "apple" and top[1] == pytest.approx(cosmul[5], rel=1e-5)  # far from man: 3.09
    # similarities and distances
    assert kv.similarity("man", "king") == pytest.approx(float(unit[1] @ unit[3]), abs=1e-6)
    assert kv.distance("man", "king") == pytest.approx(1 - kv.similarity("man", "king"), abs=1e-7)
    assert np.allclose(kv.distances("man", ["king", "pear"]), [kv.distance("man", "king"), kv.distance("man", "pear")])
    mean1, mean2 = kv.vectors[[1, 2]].mean(0), kv.vectors[[3]].mean(0)
    assert kv.n_similarity(["man", "woman"], ["king"]) == pytest.approx(
        mean1 @ mean2 / np.linalg.norm(mean1) / np.linalg.norm(mean2), abs=1e-6)
    assert kv.doesnt_match(["man", "woman", "king", "apple", "unknown"]) == "apple"
    assert kv.rank("apple", "pear") == 1
    # lookups
    assert np.allclose(np.linalg.norm(kv.get_vector("Paris", norm=True)), 1.0)
    assert kv[["man", "king"]].shape == (2, 3) and "Paris" in kv and "paris" not in kv and len(kv) == 8
    assert kv.index_to_key[3] == "king" and kv.key_to_index["king"] == 3 and kv.vector_size == 3
    assert kv.vectors.shape == (8, 3) and kv.get_index(2) == 2
    with pytest.raises(KeyError):
        kv.get_vector("nope")
    kv.fill_norms(force=True)
    assert kv.norms.shape == (8,)


def test_older_queries_still_work():
    kv = hand_vectors()
    assert word2vec_cli.Vectors is KeyedVectors
    assert kv.most_similar("man", n=2)[0][0] == "king"  # the reference's arithmetic
    assert kv.most_similar("man", 2) == kv.most_similar("man", n=2)
    assert kv.analogy("man", "king", "woman", n=1)[0][0] == "queen"
    public = dir(word2vec_cli)
    assert {"train", "load", "Word2Vec", "KeyedVectors", "LineSentence", "CallbackAny2Vec"} <= set(public)


def test_evaluations_return_gensims_shapes(tmp_path):
    kv = hand_vectors()
    questions = tmp_path / "questions.txt"
    questions.write_text(": royals\nman king woman queen\nMAN KING WOMAN QUEEN\nman king woman pear\n"
                         "man king woman nothere\nbad line\n: fruit\nking queen man woman\n")
    score, sections = kv.evaluate_word_analogies(questions)
    assert [s["section"] for s in sections] == ["royals", "fruit", "Total accuracy"]
    assert sections[0]["correct"] == [("MAN", "KING", "WOMAN", "QUEEN")] * 2
    assert sections[0]["incorrect"] == [("MAN", "KING", "WOMAN", "PEAR")]
    assert score == pytest.approx(len(sections[2]["correct"]) / 4)
    _, exact = kv.evaluate_word_analogies(questions, case_insensitive=False)
    assert exact[0]["correct"] == [("man", "king", "woman", "queen")]
    _, dummy = kv.evaluate_word_analogies(questions, dummy4unknown=True)
    assert ("MAN", "KING", "WOMAN", "NOTHERE") in dummy[0]["incorrect"]
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("# comment\nman\twoman\t5\nking\tqueen\t6\napple\tpear\t9\nman\tapple\t1\n"
                     "paris\tking\t2\nman\tnothere\t3\nbad\n")
    pearson_result, spearman_result, oov = kv.evaluate_word_pairs(pairs)
    cosines = [kv.similarity(a, b) for a, b in [("man", "woman"), ("king", "queen"), ("apple", "pear"),
                                                 ("man", "apple"), ("Paris", "king")]]
    gold = [5, 6, 9, 1, 2]
    assert pearson_result[0] == pytest.approx(np.corrcoef(gold, cosines)[0, 1], abs=1e-6)
    ranks = np.argsort(np.argsort(cosines))
    assert spearman_result.statistic == pytest.approx(np.corrcoef(np.argsort(np.argsort(gold)), ranks)[0, 1])
    assert oov == pytest.approx(100 / 6)
    with pytest.raises(Word2VecError):
        kv.evaluate_word_pairs(tmp_path / "missing.tsv")


def test_p_values_are_scipys():
    # scipy.stats.pearsonr / spearmanr of these (scipy 1.17)
    x, y = [1, 2, 3, 4.5, 7, 8], [2, 1, 4, 3, 9, 7]
    assert tuple(pearson(x, y)) == pytest.approx((0.885859507831062, 0.018798563797916813), rel=1e-9)
    assert tuple(spearman(x, y)) == pytest.approx((0.8285714285714287, 0.04156268221574335), rel=1e-9)
    assert tuple(spearman([1, 2, 2, 3], [1, 3, 2, 4])) == pytest.approx((0.9486832980505139, 0.05131670194948612),
                                                                        rel=1e-9)
    assert math.isnan(pearson([1, 1, 1], [1, 2, 3]).statistic)


def test_word2vec_format_files(tmp_path):
    kv = hand_vectors()
    for binary in (False, True):
        path = tmp_path / f"v{int(binary)}"
        kv.save_word2vec_format(path, binary=binary)
        back = KeyedVectors.load_word2vec_format(path, binary=binary)
        assert back.index_to_key == kv.index_to_key and np.array_equal(back.vectors, kv.vectors)
        assert len(KeyedVectors.load_word2vec_format(path, binary=binary, limit=3)) == 3
    (tmp_path / "latin1").write_bytes(b"2 1\ncaf\xe9 0.5\nok 1\n")
    with pytest.raises(Word2VecError, match="not valid utf8"):
        KeyedVectors.load_word2vec_format(tmp_path / "latin1")
    assert KeyedVectors.load_word2vec_format(tmp_path / "latin1", unicode_errors="replace").index_to_key[0] == "caf\ufffd"
    assert KeyedVectors.load_word2vec_format(tmp_path / "latin1", encoding="latin-1").index_to_key[0] == "caf\xe9"
    with pytest.raises(ValueError, match="count"):
        kv.save_word2vec_format(tmp_path / "x", fvocab=tmp_path / "vocab")
    with pytest.raises(TypeError, match="prefix"):
        kv.save_word2vec_format(tmp_path / "x", prefix="w_")


# ------------------------------------------------------------------ Word2Vec, no gensim needed


class Recorder(CallbackAny2Vec):
    def __init__(self):
        self.events, self.losses, self.vectors = [], [], []

    def on_train_begin(self, model):
        self.events.append("train_begin")

    def on_epoch_begin(self, model):
        self.events.append("epoch_begin")

    def on_epoch_end(self, model):
        self.events.append("epoch_end")
        self.losses.append(model.get_latest_training_loss())
        self.vectors.append(model.wv["fruit0"].copy())

    def on_train_end(self, model):
        self.events.append("train_end")


@pytest.mark.slow
def test_word2vec_trains_from_lists_and_iterables(tmp_path):
    recorder = Recorder()
    model = Word2Vec(planted_sentences(), vector_size=16, window=3, min_count=1, workers=2, epochs=3, seed=3,
                     compute_loss=True, callbacks=[recorder])
    assert recorder.events == ["train_begin"] + ["epoch_begin", "epoch_end"] * 3 + ["train_end"]
    assert 0 < recorder.losses[0] < recorder.losses[1] < recorder.losses[2] == model.get_latest_training_loss()
    assert type(model.get_latest_training_loss()) is float
    assert not np.array_equal(recorder.vectors[0], recorder.vectors[1])  # the callbacks see the live vectors
    assert len(model.wv) == 36 and "</s>" not in model.wv and model.corpus_count == 1500
    assert model.wv.get_vecattr("fruit0", "count") > 0
    assert all(w.startswith("fruit") for w, _ in model.wv.most_similar("fruit3", topn=5))
    # a generator-backed corpus, iterated once; the three-step way
    corpus = Corpus()
    other = Word2Vec(vector_size=16, window=3, min_count=1, workers=1, epochs=2)
    other.build_vocab(corpus)
    assert len(other.wv) == 36 and other.corpus_count == 1500
    other.train(corpus, total_examples=other.corpus_count, epochs=other.epochs)
    assert corpus.passes == 1 and other.get_latest_training_loss() == 0.0
    assert all(w.startswith("tool") for w, _ in other.wv.most_similar("tool1", topn=3))
    # max_final_vocab raises min_count as gensim does: 12 words of each topic, counted from a file
    (tmp_path / "lines.txt").write_text("\n".join(" ".join(s) for s in planted_sentences(400)) + "\n"
                                        + "rare1 rare2 rare2\n")
    capped = Word2Vec(corpus_file=str(tmp_path / "lines.txt"), vector_size=8, min_count=1, max_final_vocab=36,
                      workers=1, epochs=1)
    assert len(capped.wv) == 36 and capped.effective_min_count == 3 and "rare2" not in capped.wv
    for _ in range(2):  # a model trained on files goes on, call after call
        capped.train(corpus_file=str(tmp_path / "lines.txt"), total_examples=capped.corpus_count, epochs=1)
    assert len(capped.wv) == 36
    capped.save(tmp_path / "capped.w2v")
    assert [len(s) for s in word2vec_cli.LineSentence(tmp_path / "lines.txt", max_sentence_length=4, limit=2)] == [
        4, 4, 2, 4, 4, 2]
    # continued training with new words; saved and loaded as a model file
    new = [["fruit1", "kiwi", "fruit2", "mango"]] * 50
    model.build_vocab(new, update=True)
    model.train(new, total_examples=len(new), epochs=2)
    assert "kiwi" in model.wv and len(model.wv) == 38
    model.save(tmp_path / "model.w2v")
    loaded = Word2Vec.load(tmp_path / "model.w2v")
    assert loaded.wv.index_to_key == model.wv.index_to_key and np.array_equal(loaded.wv.vectors, model.wv.vectors)
    loaded.train([["kiwi", "mango"]] * 20, total_examples=20, epochs=1)
    (tmp_path / "pickle.pkl").write_bytes(b"\x80\x04\x95\x00")
    with pytest.raises(Word2VecError):
        Word2Vec.load(tmp_path / "pickle.pkl")
    # the older train() takes sentences and file objects too
    with open(tmp_path / "text.txt", "w") as handle:
        handle.write("\n".join(" ".join(s) for s in planted_sentences(300)) + "\n")
    with open(tmp_path / "text.txt", "rb") as handle:
        assert len(word2vec_cli.train(handle, size=8, min_count=1, threads=1, iter=1)) == 37
    assert len(word2vec_cli.train(planted_sentences(300), size=8, min_count=1, threads=1, iter=1)) == 37
    fitted = word2vec_cli.Model.fit(tmp_path / "text.txt", size=8, min_count=1, threads=1, iter=1)
    for _ in range(2):  # the second train() used to overwrite, then delete, the model file
        fitted.train(tmp_path / "text.txt", iter=1, threads=1)
    fitted.save(tmp_path / "fitted.w2v")
    assert fitted.most_similar("fruit1", topn=3) == fitted.wv.most_similar("fruit1", topn=3)
    assert fitted.similarity("fruit1", "fruit2") == fitted.wv.similarity("fruit1", "fruit2")


class Failing(CallbackAny2Vec):
    def on_epoch_end(self, model):
        raise ValueError("stop here")


def test_a_failing_callback_stops_training_and_leaves_no_files(tmp_path):
    with pytest.raises(ValueError, match="stop here"):
        Word2Vec(planted_sentences(200), vector_size=8, min_count=1, workers=2, epochs=3, callbacks=[Failing()],
                 tmpdir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_word2vec_refuses_what_it_does_not_support():
    for name, value in (("ns_exponent", 0.5), ("cbow_mean", 0), ("min_alpha", 0.001), ("max_vocab_size", 1000),
                        ("shrink_windows", False), ("max_final_vocab", 0), ("trim_rule", len)):
        with pytest.raises(Word2VecError, match=f"{name}="):
            Word2Vec(**{name: value})
    with pytest.raises(TypeError, match="size"):
        Word2Vec(size=10)  # gensim 3's name
    with pytest.raises(Word2VecError, match="'two words'"):
        Word2Vec([["one"], ["two words", "x"]], min_count=1)
    with pytest.raises(Word2VecError, match="sentence 2: the word ''"):
        Word2Vec([["one"], ["", "x"]], min_count=1)
    with pytest.raises(Word2VecError, match="not a single str"):
        Word2Vec("a b c")
    with pytest.raises(Word2VecError, match="a sentence must be a list"):
        Word2Vec(["a b c"])
    with pytest.raises(Word2VecError, match="sentence 2: a sentence must be a list of words, got NoneType"):
        Word2Vec([("a", "b"), None])
    with pytest.raises(Word2VecError, match="sentence 1: words must be str, got int"):
        Word2Vec([["a", 3]])
    model = Word2Vec(vector_size=8)
    with pytest.raises(ValueError, match="epochs"):
        model.train([["a"]], total_examples=1)
    with pytest.raises(RuntimeError):
        model.build_vocab([["a"]], update=True)


# ------------------------------------------------------------------ the same script with gensim's classes


def gensim_user_script(Word2Vec, KeyedVectors, folder, query_file=None):
    """A gensim user's script: train from a list and from a generator-backed corpus,
    continue with new words, save the vectors, load a vector file (``query_file``,
    by default the one saved), query and evaluate it. Returns the answers."""
    model = Word2Vec(planted_sentences(), vector_size=16, window=3, min_count=1, workers=1, epochs=3)
    corpus = Corpus(600, seed=1)
    second = Word2Vec(vector_size=16, window=3, min_count=2, workers=1)
    second.build_vocab(corpus)
    second.train(corpus, total_examples=second.corpus_count, epochs=second.epochs)
    more = [["fruit1", "kiwi", "fruit2", "mango", "fruit3"]] * 40 + [["tool1", "saw", "tool2"]] * 40
    model.build_vocab(more, update=True)
    model.train(more, total_examples=len(more), epochs=model.epochs)
    model.wv.save_word2vec_format(str(folder / "vectors.txt"))
    model.wv.save_word2vec_format(str(folder / "vectors.bin"), binary=True)
    kv = KeyedVectors.load_word2vec_format(str(query_file or folder / "vectors.txt"))
    binary = KeyedVectors.load_word2vec_format(str(folder / "vectors.bin"), binary=True)
    vector = kv["fruit4"] + kv["tool4"]
    return {
        "trained": (len(model.wv), "kiwi" in model.wv, len(second.wv), set(binary.index_to_key) == set(model.wv.index_to_key)),
        "keys": (kv.index_to_key, len(kv), "kiwi" in kv, "nothere" in kv, kv.vector_size),
        "king": kv.most_similar(positive=["fruit2", "tool3"], negative=["fruit1"], topn=5),
        "word": kv.most_similar("city5"),
        "weights": kv.most_similar(positive=[("fruit2", 2.0), "city1"], negative=["tool0"], topn=4),
        "restricted": kv.most_similar("fruit3", topn=3, restrict_vocab=20),
        "vector": kv.similar_by_vector(vector, topn=4),
        "by_word": kv.similar_by_word("kiwi", topn=3),
        "cosmul": kv.most_similar_cosmul(positive=["fruit2", "tool3"], negative=["fruit1"], topn=5),
        "similarity": float(kv.similarity("fruit1", "fruit2")),
        "n_similarity": float(kv.n_similarity(["fruit1", "tool2"], ["city3", "kiwi"])),
        "distance": float(kv.distance("fruit1", "tool2")),
        "distances": kv.distances("fruit1", ["tool2", "city3", "mango"]).tolist(),
        "doesnt_match": kv.doesnt_match(["fruit1", "fruit2", "fruit3", "city1", "nothere"]),
        "rank": kv.rank("fruit1", "city1"),
        "normed": kv.get_vector("saw", norm=True).tolist(),
        "rows": kv[["saw", "fruit0"]].tolist(),
        "analogies": kv.evaluate_word_analogies(str(folder / "questions.txt")),
        "analogies_restricted": kv.evaluate_word_analogies(str(folder / "questions.txt"), restrict_vocab=20,
                                                           case_insensitive=False),
        "pairs": kv.evaluate_word_pairs(str(folder / "pairs.tsv")),
    }


def write_evaluation_files(folder):
    rng = np.random.default_rng(5)
    words = [f"{name}{k}" for name in ("fruit", "tool", "city") for k in range(12)] + ["kiwi", "mango", "saw"]
    lines = []
    for section in ("fruit-tool", "mixed"):
        lines.append(f": {section}")
        for _ in range(60):
            a, b, c, d = rng.choice(words, 4, replace=False)
            if rng.random() < 0.5:  # often the answer: c's topic
                d = c[:-1] + str((int(c[-1]) + 1) % 10) if c[-1].isdigit() else d
            lines.append(" ".join(w.upper() if rng.random() < 0.2 else w for w in (a, b, c, d)))
        lines.append("fruit1 fruit2 fruit3 nothere")
    (folder / "questions.txt").write_text("\n".join(lines) + "\n")
    pairs = [f"{a}\t{b}\t{rng.random() * 10:.2f}" for a, b in (rng.choice(words, 2, replace=False) for _ in range(80))]
    (folder / "pairs.tsv").write_text("# word pairs\n" + "\n".join(pairs) + "\nfruit1\tnothere\t3.0\n")


def assert_same_answers(ours, theirs, where=""):
    """Lists of (word, score) pairs: same words in the same order, scores within 1e-5."""
    if isinstance(ours, dict):
        assert ours.keys() == theirs.keys(), where
        for key in ours:
            assert_same_answers(ours[key], theirs[key], f"{where}/{key}")
    elif isinstance(ours, list) and ours and all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[1], float)
                                                 for p in ours):
        # a ranking: the same words in the same order, except two whose scores tie within 1e-5
        assert len(ours) == len(theirs), where
        for k, ((word, score), (other, other_score)) in enumerate(zip(ours, theirs)):
            assert score == pytest.approx(other_score, abs=1e-5), f"{where}[{k}]"
            assert word == other or any(w == other and abs(s - score) <= 1e-5 for w, s in ours), f"{where}[{k}]"
    elif isinstance(ours, (list, tuple)) and not isinstance(ours, str):
        assert len(ours) == len(theirs), where
        for k, (a, b) in enumerate(zip(ours, theirs)):
            assert_same_answers(a, b, f"{where}[{k}]")
    elif isinstance(ours, (float, np.floating)) and not isinstance(theirs, str):
        assert float(ours) == pytest.approx(float(theirs), abs=1e-5, nan_ok=True), where
    else:
        assert ours == theirs, where


@pytest.mark.slow
def test_a_gensim_script_runs_unchanged_and_answers_as_gensim(tmp_path):
    gensim = pytest.importorskip("gensim")
    from gensim.models import KeyedVectors as GensimKeyedVectors
    from gensim.models import Word2Vec as GensimWord2Vec

    assert gensim.__version__ >= "4"
    ours_folder, theirs_folder = tmp_path / "ours", tmp_path / "gensim"
    for folder in (ours_folder, theirs_folder):
        folder.mkdir()
        write_evaluation_files(folder)
    ours = gensim_user_script(Word2Vec, KeyedVectors, ours_folder)
    theirs = gensim_user_script(GensimWord2Vec, GensimKeyedVectors, theirs_folder, ours_folder / "vectors.txt")
    assert ours["trained"] == theirs["trained"] == (39, True, 36, True)
    assert ours["analogies"][1][-1]["section"] == "Total accuracy" and ours["analogies"][0] > 0
    assert 0 < len(ours["analogies"][1][-1]["correct"]) < 118
    assert_same_answers(ours, theirs)
    # and the other way round: our classes read gensim's file and answer as gensim on it
    again = gensim_user_script(Word2Vec, KeyedVectors, ours_folder, theirs_folder / "vectors.txt")
    theirs_on_theirs = gensim_user_script(GensimWord2Vec, GensimKeyedVectors, theirs_folder)
    del again["trained"], theirs_on_theirs["trained"]
    assert_same_answers(again, theirs_on_theirs)
