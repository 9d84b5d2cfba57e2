"""The order-sensitive architectures (cwindow, structured skip-gram) and the L2
penalty and clamp, against plain-numpy versions of their formulas, step by step;
and end to end: cwindow and structured skip-gram learn what only word order tells.

Formulas (the seed's notation; x the input of the output layer, theta an output row):
  cwindow:     x = [v(w_-c); ...; v(w_-1); v(w_1); ...; v(w_c)] (zeros past a sentence
               end), theta rows 2c times as wide; hs and ns as usual; each context
               row v(w_j) += e[slot j].
  structured:  skip-gram where context word w_j at relative position j trains
               theta_j(target), its position's own output row.
  L2 (lambda): the rows a step touches: v <- (1 - eta lambda_in) v + e for inputs,
               theta <- (1 - eta lambda_out)(theta + g x) for outputs; -cap clamps.
"""

import numpy as np
import pytest

from conftest import loss_args, no_hot_rows
from test_kernels import TABLE, draws, oracle_hs, oracle_ns, table_sigmoid
from word2vec_cli.kernels import cbow, cwindow, structured
from word2vec_cli.model import sampling
from word2vec_cli.model.huffman import HuffmanCodes

SENTENCE = np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int64)


def slot_words(sentence, position, window):
    """(word, slot) of the full window, left to right."""
    out = []
    for a in range(2 * window + 1):
        p = position - window + a
        if a != window and 0 <= p < len(sentence):
            out.append((int(sentence[p]), a if a < window else a - 1))
    return out


def finish(matrix, rows, factor, cap):
    for row in rows:
        matrix[row] *= factor
        if cap:
            np.clip(matrix[row], -cap, cap, out=matrix[row])


@pytest.fixture
def world():
    rng = np.random.default_rng(5)
    n_words, size = 12, 6
    counts = np.sort(rng.integers(1, 100, n_words))[::-1].astype(np.int64)
    syn0 = rng.normal(0, 0.5, (n_words, size)).astype(np.float32)
    return rng, syn0, counts, HuffmanCodes(counts), sampling.unigram_bounds(counts)


PENALTIES = [(0.0, 0.0, 0.0), (0.5, 0.0, 0.0), (0.0, 0.7, 0.0), (0.5, 0.7, 0.0), (0.0, 0.0, 0.3)]


@pytest.mark.parametrize("l2_in,l2_out,cap", PENALTIES)
@pytest.mark.parametrize("position,window", [(4, 2), (0, 3), (7, 2), (1, 4)])
@pytest.mark.parametrize("hs,negative", [(True, 0), (False, 4), (True, 3)])
def test_cwindow_step_equals_numpy(world, position, window, hs, negative, l2_in, l2_out, cap):
    rng, syn0, counts, huffman, bounds = world
    size, width = syn0.shape[1], 2 * window * syn0.shape[1]
    syn1 = rng.normal(0, 0.3, (len(counts), width)).astype(np.float32)
    syn1neg = rng.normal(0, 0.3, (len(counts), width)).astype(np.float32)
    eta, r = 0.2, 4242
    word = int(SENTENCE[position])
    context = slot_words(SENTENCE, position, window)
    x = np.zeros(width)
    for w, slot in context:
        x[slot * size:(slot + 1) * size] = syn0[w]
    e = np.zeros(width)
    new1, new1neg = syn1.astype(np.float64), syn1neg.astype(np.float64)
    targets = []
    if hs:
        n = huffman.lengths[word]
        e_hs, new1 = oracle_hs(x, syn1, huffman.points[word, :n], huffman.codes[word, :n], eta, table_sigmoid)
        e += e_hs
        finish(new1, huffman.points[word, :n], 1 - eta * l2_out, cap)
    if negative:
        targets, labels, _ = draws(r, negative, bounds, word, len(counts))
        e_ns, new1neg = oracle_ns(x, syn1neg, targets, labels, eta, table_sigmoid)
        e += e_ns
        finish(new1neg, targets, 1 - eta * l2_out, cap)
    new0 = syn0.astype(np.float64)
    for w, slot in context:
        new0[w] = (1 - eta * l2_in) * new0[w] + e[slot * size:(slot + 1) * size]
        if cap:
            np.clip(new0[w], -cap, cap, out=new0[w])
    in_rows, out_hs, out_ns = syn0.copy(), syn1.copy(), syn1neg.copy()
    cwindow.train_cwindow_position(
        SENTENCE, len(SENTENCE), position, window, in_rows, out_hs, out_ns, huffman.codes, huffman.points,
        huffman.lengths, hs, negative, bounds, sampling.draw_index(bounds), np.uint64(r),
        np.zeros((1, width), np.float32), np.zeros(width, np.float32), np.zeros(2 * window, np.int64),
        np.zeros(2 * window, np.int64), np.zeros(negative + 1, np.int64), np.float32(eta), TABLE, *loss_args(),
        no_hot_rows(out_hs), np.float32(l2_in), np.float32(l2_out), np.float32(cap))
    assert np.allclose(in_rows, new0, atol=3e-5)
    assert np.allclose(out_hs, new1, atol=3e-5)
    assert np.allclose(out_ns, new1neg, atol=3e-5)
    assert not np.allclose(in_rows, syn0)


@pytest.mark.parametrize("l2_in,l2_out,cap", PENALTIES)
@pytest.mark.parametrize("position,window", [(4, 2), (0, 3), (7, 2), (2, 4)])
@pytest.mark.parametrize("hs,negative", [(True, 0), (False, 4), (True, 3)])
def test_structured_step_equals_numpy(world, position, window, hs, negative, l2_in, l2_out, cap):
    rng, syn0, counts, huffman, bounds = world
    size, blocks, n_words = syn0.shape[1], 2 * window, len(counts)
    syn1 = rng.normal(0, 0.3, (blocks * n_words, size)).astype(np.float32)
    syn1neg = rng.normal(0, 0.3, (blocks * n_words, size)).astype(np.float32)
    eta, r = 0.2, 777
    word = int(SENTENCE[position])
    context = slot_words(SENTENCE, position, window)
    drawn = []
    for _ in context:  # all negatives are drawn first, in the order of the context words
        targets, labels, r = draws(r, negative, bounds, word, n_words) if negative else ([], [], r)
        drawn.append((targets, labels))
    new0 = syn0.astype(np.float64)
    new1 = syn1.astype(np.float64).reshape(blocks, n_words, size)
    new1neg = syn1neg.astype(np.float64).reshape(blocks, n_words, size)
    for (w, slot), (targets, labels) in zip(context, drawn):
        x = new0[w].copy()
        e = np.zeros(size)
        if hs:
            n = huffman.lengths[word]
            e_hs, new1[slot] = oracle_hs(x, new1[slot], huffman.points[word, :n], huffman.codes[word, :n], eta,
                                         table_sigmoid)
            e += e_hs
            finish(new1[slot], huffman.points[word, :n], 1 - eta * l2_out, cap)
        if negative:
            e_ns, new1neg[slot] = oracle_ns(x, new1neg[slot], targets, labels, eta, table_sigmoid)
            e += e_ns
            finish(new1neg[slot], targets, 1 - eta * l2_out, cap)
        new0[w] = (1 - eta * l2_in) * new0[w] + e
        if cap:
            np.clip(new0[w], -cap, cap, out=new0[w])
    in_rows, out_hs, out_ns = syn0.copy(), syn1.copy(), syn1neg.copy()
    r_kernel = structured.train_structured_position(
        SENTENCE, len(SENTENCE), position, window, in_rows, out_hs, out_ns, huffman.codes, huffman.points,
        huffman.lengths, hs, negative, bounds, sampling.draw_index(bounds), np.uint64(777),
        np.zeros(size, np.float32), np.zeros(2 * window, np.int64), np.zeros(2 * window, np.int64),
        np.zeros((2 * window, negative + 1), np.int64), np.zeros(2 * window, np.int64), np.float32(eta), TABLE,
        *loss_args(), no_hot_rows(syn1[:n_words]), np.float32(l2_in), np.float32(l2_out), np.float32(cap))
    if negative:
        assert int(r_kernel) == r
    assert np.allclose(in_rows, new0, atol=3e-5)
    assert np.allclose(out_hs, new1.reshape(syn1.shape), atol=3e-5)
    assert np.allclose(out_ns, new1neg.reshape(syn1neg.shape), atol=3e-5)


@pytest.mark.parametrize("l2_in,l2_out,cap", PENALTIES[1:])
def test_cbow_penalty_and_clamp_equal_numpy(world, l2_in, l2_out, cap):
    rng, syn0, counts, huffman, bounds = world
    syn1neg = rng.normal(0, 0.3, syn0.shape).astype(np.float32)
    position, window, shrink, eta, r = 4, 2, 0, 0.1, 99
    context = [4, 1, 9, 2]
    x = syn0[context].astype(np.float64).mean(axis=0)
    targets, labels, _ = draws(r, 3, bounds, 5, len(counts))
    e, out_expected = oracle_ns(x, syn1neg, targets, labels, eta, table_sigmoid)
    finish(out_expected, targets, 1 - eta * l2_out, cap)
    expected = syn0.astype(np.float64)
    for row in context:
        expected[row] = (1 - eta * l2_in) * expected[row] + e
        if cap:
            np.clip(expected[row], -cap, cap, out=expected[row])
    in_rows, out = syn0.copy(), syn1neg.copy()
    codes = np.zeros((1, 1), np.uint8)
    cbow.train_cbow_position(SENTENCE, len(SENTENCE), position, shrink, window, in_rows, out, out, codes,
                             codes.astype(np.int32), np.zeros(1, np.int32), False, 3, bounds,
                             sampling.draw_index(bounds), np.uint64(r), np.zeros((1, syn0.shape[1]), np.float32),
                             np.zeros(syn0.shape[1], np.float32), np.zeros(2 * window, np.int64),
                             np.zeros(4, np.int64), np.float32(eta), TABLE, *loss_args(), no_hot_rows(out),
                             np.float32(l2_in), np.float32(l2_out), np.float32(cap))
    assert np.allclose(out, out_expected, atol=2e-5)
    assert np.allclose(in_rows, expected, atol=2e-5)


def order_only_corpus(path, n_sentences=30000, seed=1):
    """Two-word sentences ``a_i c_j`` and ``c_j b_k``: the words a_* and b_* have the
    same co-occurrences as bags (with the c_*), but a_* always comes first."""
    rng = np.random.default_rng(seed)
    n = 15
    lines = []
    for _ in range(n_sentences):
        c = f"c{rng.integers(n)}"
        lines.append(f"a{rng.integers(n)} {c}" if rng.random() < 0.5 else f"{c} b{rng.integers(n)}")
    path.write_text("\n".join(lines) + "\n")
    return [f"a{i}" for i in range(n)], [f"b{i}" for i in range(n)]


def neighbour_purity(vectors, left, right):
    """The share of the words of ``left + right`` whose nearest neighbour among them
    is of their own kind (0.5 is chance)."""
    words = left + right
    m = np.array([vectors[w] for w in words], dtype=np.float64)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    sims = m @ m.T
    np.fill_diagonal(sims, -np.inf)
    nearest = sims.argmax(axis=1)
    kind = np.array([0] * len(left) + [1] * len(right))
    return float((kind[nearest] == kind).mean())


@pytest.mark.slow
def test_only_the_order_sensitive_types_learn_word_order(tmp_path):
    from word2vec_cli import api

    left, right = order_only_corpus(tmp_path / "order.txt")
    purity = {}
    for arch in (0, 1, 2, 3):
        vectors = api.train(tmp_path / "order.txt", type=arch, size=16, window=2, min_count=1, sample=0,
                            negative=5, iter=3, threads=1)
        purity[arch] = neighbour_purity(vectors, left, right)
    assert purity[2] >= 0.95 and purity[3] >= 0.95, purity
    assert purity[0] <= 0.8 and purity[1] <= 0.8, purity


def test_l2_zero_is_bit_identical_to_the_default(tmp_path):
    from word2vec_cli import api

    order_only_corpus(tmp_path / "c.txt", n_sentences=3000)
    for arch in (0, 1, 2, 3):
        default = api.train(tmp_path / "c.txt", type=arch, size=8, min_count=1, iter=1, threads=1, hs=1)
        zero = api.train(tmp_path / "c.txt", type=arch, size=8, min_count=1, iter=1, threads=1, hs=1, l2=0.0,
                         cap=0.0)
        penalised = api.train(tmp_path / "c.txt", type=arch, size=8, min_count=1, iter=1, threads=1, hs=1,
                              l2=1.0)
        assert np.array_equal(default.vectors, zero.vectors)
        assert not np.array_equal(default.vectors, penalised.vectors)


def test_type_0_and_1_are_cbow_and_skipgram(tmp_path):
    from word2vec_cli import api

    order_only_corpus(tmp_path / "c.txt", n_sentences=2000)
    for arch, cbow_flag in ((0, 1), (1, 0)):
        by_type = api.train(tmp_path / "c.txt", type=arch, size=8, min_count=1, iter=1, threads=1)
        by_cbow = api.train(tmp_path / "c.txt", cbow=cbow_flag, size=8, min_count=1, iter=1, threads=1)
        assert np.array_equal(by_type.vectors, by_cbow.vectors)


@pytest.mark.parametrize("arch", [2, 3])
def test_order_types_train_on_threads_with_both_outputs_and_write_both_formats(tmp_path, arch):
    from word2vec_cli import api

    order_only_corpus(tmp_path / "c.txt", n_sentences=4000)
    for binary in (0, 1):
        out = tmp_path / f"v{binary}"
        vectors = api.train(tmp_path / "c.txt", out, type=arch, size=8, min_count=1, iter=2, threads=2, hs=1,
                            negative=3, binary=binary, cap=50.0, l2=1e-3)
        assert np.isfinite(vectors.vectors).all()
        assert np.allclose(api.load(out).vectors, vectors.vectors, atol=1e-5)


@pytest.mark.parametrize("flags,message", [(["-type", "4"], b"-type must be"), (["-l2", "-1"], b"-l2 must not"),
                                           (["-cap", "-1"], b"-cap must not"),
                                           (["-type", "2", "-batch", "1"], b"-batch 1 needs")])
def test_bad_order_and_penalty_flags_are_usage_errors(tmp_path, flags, message):
    from conftest import run_cli

    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n" * 10)
    result = run_cli("-train", corpus, "-output", tmp_path / "v.txt", *flags)
    assert result.returncode == 2 and message in result.stderr and b"Traceback" not in result.stderr
