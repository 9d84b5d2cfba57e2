"""The hs and ns update rules against a plain-numpy version of the seed's formulas.

For an input vector x (a context row in skip-gram, the context average in CBOW) and
an output vector theta per Huffman node / sampled word, the seed gives
    q = sigmoid(x . theta);  g = eta * (label - q);  e += g * theta;  theta += g * x
with label = 1 - d_j (code bit) for hierarchical softmax and label = 1 for the word,
0 for negatives in negative sampling; finally the input row(s) get e.
"""

import numpy as np
import pytest

from conftest import loss_args, no_hot_rows, no_penalty
from word2vec_cli.kernels import cbow, steps
from word2vec_cli.model import weights
from word2vec_cli.model.huffman import HuffmanCodes

TABLE = weights.sigmoid_table()


def table_sigmoid(f):
    return float(TABLE[int((np.float32(f) + np.float32(6)) * np.float32(83))])


def exact_sigmoid(f):
    return 1.0 / (1.0 + np.exp(-f))


def oracle_hs(x, syn1, path, code, eta, sigmoid):
    """Seed formulas for hierarchical softmax; returns (e, new syn1)."""
    syn1 = syn1.astype(np.float64).copy()
    e = np.zeros_like(x, dtype=np.float64)
    for node, bit in zip(path, code):
        f = x @ syn1[node]
        if f <= -6 or f >= 6:
            continue
        g = eta * (1 - bit - sigmoid(f))
        e += g * syn1[node]
        syn1[node] += g * x
    return e, syn1


def oracle_ns(x, syn1neg, targets, labels, eta, sigmoid):
    """Seed formulas for negative sampling (with the reference's clamping)."""
    syn1neg = syn1neg.astype(np.float64).copy()
    e = np.zeros_like(x, dtype=np.float64)
    for target, label in zip(targets, labels):
        f = x @ syn1neg[target]
        if f > 6:
            g = eta * (label - 1)
        elif f < -6:
            g = eta * label
        else:
            g = eta * (label - sigmoid(f))
        e += g * syn1neg[target]
        syn1neg[target] += g * x
    return e, syn1neg


def draws(r, n, bounds, word, n_words):
    """The reference's negative draws from generator state r: (targets, labels, r)."""
    targets, labels = [word], [1]
    mask = (1 << 64) - 1
    for _ in range(n):
        r = (r * 25214903917 + 11) & mask
        target = int(np.searchsorted(bounds, (r >> 16) % 100_000_000, "right") - 1)
        if target == 0:
            target = r % (n_words - 1) + 1
        if target == word:
            continue
        targets.append(target)
        labels.append(0)
    return targets, labels, r


@pytest.fixture
def setup():
    rng = np.random.default_rng(7)
    n_words, size = 12, 16
    syn0 = rng.normal(0, 0.5, (n_words, size)).astype(np.float32)
    syn1 = rng.normal(0, 0.5, (n_words, size)).astype(np.float32)
    counts = np.sort(rng.integers(1, 100, n_words))[::-1].astype(np.int64)
    return rng, syn0, syn1, counts


@pytest.mark.parametrize("sigmoid,tol", [(table_sigmoid, 2e-5), (exact_sigmoid, 5e-3)])
def test_hierarchical_softmax_update(setup, sigmoid, tol):
    _, syn0, syn1, counts = setup
    huffman = HuffmanCodes(counts)
    eta = np.float32(0.3)
    word, row = 5, 2
    n = huffman.lengths[word]
    e_expected, syn1_expected = oracle_hs(syn0[row].astype(np.float64), syn1, huffman.points[word, :n],
                                          huffman.codes[word, :n], float(eta), sigmoid)
    neu1e = np.zeros(syn0.shape[1], dtype=np.float32)
    out = syn1.copy()
    steps.hierarchical_softmax(syn0, row, word, out, huffman.codes, huffman.points, huffman.lengths, neu1e,
                                 eta, TABLE, *loss_args(), no_hot_rows(out))
    assert np.allclose(neu1e, e_expected, atol=tol)
    assert np.allclose(out, syn1_expected, atol=tol)
    assert not np.allclose(out, syn1)  # something was learned


@pytest.mark.parametrize("sigmoid,tol", [(table_sigmoid, 2e-5), (exact_sigmoid, 5e-3)])
def test_negative_sampling_update(setup, sigmoid, tol):
    from word2vec_cli.model import sampling

    _, syn0, syn1neg, counts = setup
    bounds = sampling.unigram_bounds(counts)
    eta = np.float32(0.3)
    word, row, negative, r = 4, 7, 6, 12345
    targets, labels, r_after = draws(r, negative, bounds, word, len(counts))
    e_expected, out_expected = oracle_ns(syn0[row].astype(np.float64), syn1neg, targets, labels, float(eta),
                                         sigmoid)
    neu1e = np.zeros(syn0.shape[1], dtype=np.float32)
    out = syn1neg.copy()
    r_kernel = steps.negative_sampling(syn0, row, word, out, negative, bounds, sampling.draw_index(bounds),
                                         np.uint64(r), neu1e, eta, TABLE, *loss_args(), np.zeros(negative + 1, np.int64))
    assert int(r_kernel) == r_after
    assert np.allclose(neu1e, e_expected, atol=tol)
    assert np.allclose(out, out_expected, atol=tol)


def test_negative_sampling_clamps_large_scores():
    from word2vec_cli.model import sampling

    syn0 = np.full((3, 4), 2.0, dtype=np.float32)  # x . theta = 16 > 6
    out = np.full((3, 4), 2.0, dtype=np.float32)
    bounds = np.array([0, 1, 100_000_000], dtype=np.int64)
    neu1e = np.zeros(4, dtype=np.float32)
    steps.negative_sampling(syn0, 0, 1, out, 0, bounds, sampling.draw_index(bounds), np.uint64(1), neu1e,
                              np.float32(0.5), TABLE, *loss_args(), np.zeros(1, np.int64))
    assert (out == 2.0).all() and (neu1e == 0).all()  # label 1, f > 6: g = 0


def test_cbow_averages_the_context_and_adds_the_undivided_gradient(setup):
    from word2vec_cli.model import sampling

    _, syn0, syn1neg, counts = setup
    bounds = sampling.unigram_bounds(counts)
    sentence = np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int64)
    position, window, shrink = 4, 2, 0
    context = [4, 1, 9, 2]  # rows at positions 2, 3, 5, 6
    x = syn0[context].astype(np.float64).mean(axis=0)
    eta = np.float32(0.1)
    r = 99
    targets, labels, _ = draws(r, 3, bounds, 5, len(counts))
    e, out_expected = oracle_ns(x, syn1neg, targets, labels, float(eta), table_sigmoid)
    syn0_expected = syn0.astype(np.float64).copy()
    for row in context:
        syn0_expected[row] += e  # 1 appears once in the window here
    in_rows, out = syn0.copy(), syn1neg.copy()
    neu1 = np.zeros((1, syn0.shape[1]), dtype=np.float32)
    neu1e = np.zeros(syn0.shape[1], dtype=np.float32)
    dummy_codes = np.zeros((1, 1), dtype=np.uint8)
    cbow.train_cbow_position(sentence, len(sentence), position, shrink, window, in_rows, out, out,
                                dummy_codes, dummy_codes.astype(np.int32), np.zeros(1, dtype=np.int32), False, 3,
                                bounds, sampling.draw_index(bounds), np.uint64(r), neu1, neu1e,
                                np.zeros(2 * window, np.int64), np.zeros(4, np.int64), eta, TABLE, *loss_args(), no_hot_rows(out), *no_penalty())
    assert np.allclose(out, out_expected, atol=2e-5)
    assert np.allclose(in_rows, syn0_expected, atol=2e-5)


def test_learning_rate_schedule_and_floor():
    assert weights.learning_rate(np.float32(0.025), 0, 1001) == np.float32(0.025)
    half = weights.learning_rate(np.float32(0.025), 500, 1001)
    assert half == np.float32(0.025) * (np.float32(1) - np.float32(500) / np.float32(1001))
    assert weights.learning_rate(np.float32(0.025), 1001, 1001) == np.float32(0.025 * 1e-4)


def test_initial_vectors_follow_the_reference_generator():
    syn0 = weights.initial_vectors(3, 4, 1)
    r, mask, expected = 1, (1 << 64) - 1, []
    for _ in range(12):
        r = (r * 25214903917 + 11) & mask
        expected.append(np.float32((float(np.float32(r & 0xFFFF) / np.float32(65536)) - 0.5) / 4))
    assert syn0.ravel().tolist() == expected
    assert np.abs(syn0).max() <= 0.5 / 4


def test_hierarchical_softmax_long_paths_and_skipped_nodes():
    # paths longer than one block of four, with some scores outside (-6, 6) inside a block
    rng = np.random.default_rng(3)
    counts = (2.0 ** np.arange(20, 0, -1)).astype(np.int64)  # skewed: codes up to 19 bits
    huffman = HuffmanCodes(counts)
    syn0 = rng.normal(0, 1.5, (20, 8)).astype(np.float32)
    syn1 = rng.normal(0, 1.5, (20, 8)).astype(np.float32)
    eta = np.float32(0.2)
    for word, row in ((19, 0), (12, 5), (3, 7)):
        n = huffman.lengths[word]
        e_expected, syn1_expected = oracle_hs(syn0[row].astype(np.float64), syn1, huffman.points[word, :n],
                                              huffman.codes[word, :n], float(eta), table_sigmoid)
        neu1e = np.zeros(8, dtype=np.float32)
        out = syn1.copy()
        steps.hierarchical_softmax(syn0, row, word, out, huffman.codes, huffman.points, huffman.lengths, neu1e,
                                     eta, TABLE, *loss_args(), no_hot_rows(out))
        assert np.allclose(neu1e, e_expected, atol=2e-5)
        assert np.allclose(out, syn1_expected, atol=2e-5)
    assert huffman.lengths[19] > 8


@pytest.mark.parametrize("negative", [1, 3, 4, 7, 15])
def test_negative_sampling_with_repeated_draws(negative):
    # one word takes most of the table: draws repeat within a block of four, which must
    # then be trained one at a time (the second sees the first's update)
    from word2vec_cli.model import sampling

    rng = np.random.default_rng(negative)
    counts = np.array([3, 10**7, 10**5, 10**4, 500, 300, 100, 50], dtype=np.int64)
    syn0 = rng.normal(0, 0.5, (8, 16)).astype(np.float32)
    syn1neg = rng.normal(0, 0.5, (8, 16)).astype(np.float32)
    bounds = sampling.unigram_bounds(counts)
    eta = np.float32(0.3)
    for word, r in ((5, 1), (2, 777), (1, 4242)):
        targets, labels, r_after = draws(r, negative, bounds, word, len(counts))
        e_expected, out_expected = oracle_ns(syn0[2].astype(np.float64), syn1neg, targets, labels, float(eta),
                                             table_sigmoid)
        neu1e = np.zeros(16, dtype=np.float32)
        out = syn1neg.copy()
        r_kernel = steps.negative_sampling(syn0, 2, word, out, negative, bounds, sampling.draw_index(bounds),
                                             np.uint64(r), neu1e, eta, TABLE, *loss_args(), np.zeros(negative + 1, np.int64))
        assert int(r_kernel) == r_after
        assert np.allclose(neu1e, e_expected, atol=2e-5)
        assert np.allclose(out, out_expected, atol=2e-5)


def test_hot_nodes_train_private_rows_and_merge_back():
    # the top Huffman nodes trained in private rows, then merged: the same as training
    # the shared rows directly (one thread), and the shared rows untouched until the merge
    rng = np.random.default_rng(5)
    counts = np.sort(rng.integers(1, 1000, 40))[::-1].astype(np.int64)
    huffman = HuffmanCodes(counts)
    n_words, size, hot_nodes = len(counts), 8, 6
    syn0 = rng.normal(0, 0.5, (n_words, size)).astype(np.float32)
    syn1 = rng.normal(0, 0.5, (n_words, size)).astype(np.float32)
    first_hot, start = n_words - 1 - hot_nodes, n_words + 1
    with_private = np.zeros((n_words + 1 + hot_nodes, size), dtype=np.float32)
    with_private[:n_words] = syn1
    with_private[start:] = syn1[first_hot:n_words - 1]
    base = with_private[start:].copy()
    direct = syn1.copy()
    hot = np.array([first_hot, start - first_hot], dtype=np.int64)
    eta = np.float32(0.2)
    for word, row in ((0, 1), (17, 3), (39, 0)):
        for out, hot_arg in ((direct, no_hot_rows(direct)), (with_private, hot)):
            neu1e = np.zeros(size, dtype=np.float32)
            steps.hierarchical_softmax(syn0, row, word, out, huffman.codes, huffman.points, huffman.lengths,
                                         neu1e, eta, TABLE, *loss_args(), hot_arg)
    assert huffman.points[0, 0] >= first_hot  # the root is a hot node
    np.testing.assert_array_equal(with_private[first_hot:n_words - 1], syn1[first_hot:n_words - 1])
    np.testing.assert_allclose(with_private[:first_hot], direct[:first_hot], atol=1e-6)
    steps.merge_hot_rows(with_private, base, first_hot, start)
    np.testing.assert_allclose(with_private[:n_words], direct, atol=1e-6)
    np.testing.assert_array_equal(with_private[start:], with_private[first_hot:n_words - 1])
    np.testing.assert_array_equal(base, with_private[start:])


def test_merge_adds_each_threads_changes():
    syn1 = np.zeros((6, 2), dtype=np.float32)
    syn1[0] = [1, 1]          # shared hot row, already changed by another thread
    syn1[3] = [0.5, 0.25]     # this thread's private copy of it, after training
    base = np.zeros((1, 2), dtype=np.float32)  # the private row's value at the last merge
    steps.merge_hot_rows(syn1, base, 0, 3)
    np.testing.assert_array_equal(syn1[0], [1.5, 1.25])
    np.testing.assert_array_equal(syn1[3], [1.5, 1.25])
    np.testing.assert_array_equal(base[0], [1.5, 1.25])


# --------------------------------------------------------------------------- the loss


def test_output_loss_is_minus_log_sigmoid_everywhere():
    table = weights.loss_table()
    for f in np.linspace(-30, 30, 2401):
        for label in (0, 1):
            z = f if label else -f
            assert steps.output_loss(np.float32(f), label, table) == pytest.approx(np.logaddexp(0, -z), abs=3e-5)


def oracle_loss(x, syn1, rows, labels):
    """The objective's terms, -log sigmoid(+-x . theta), each on the output row as it is
    when that output is trained (rows distinct: every score sees the original row)."""
    return sum(np.logaddexp(0, -(x @ syn1[row] if label else -(x @ syn1[row]))) for row, label in zip(rows, labels))


def test_steps_accumulate_the_loss_of_every_output(setup):
    from word2vec_cli.model import sampling

    _, syn0, syn1, counts = setup
    huffman = HuffmanCodes(counts)
    eta = np.float32(0.3)
    loss_table, loss = loss_args()
    loss[0] = 1.5  # accumulated, not overwritten
    word, row = 5, 2
    n = huffman.lengths[word]
    expected = 1.5 + oracle_loss(syn0[row].astype(np.float64), syn1.astype(np.float64), huffman.points[word, :n],
                                 1 - huffman.codes[word, :n])
    steps.hierarchical_softmax(syn0, row, word, syn1.copy(), huffman.codes, huffman.points, huffman.lengths,
                               np.zeros(syn0.shape[1], np.float32), eta, TABLE, loss_table, loss, no_hot_rows(syn1))
    assert loss[0] == pytest.approx(expected, rel=1e-5)

    bounds = sampling.unigram_bounds(counts)
    word, row, negative, r = 4, 7, 6, 12345
    targets, labels, _ = draws(r, negative, bounds, word, len(counts))
    assert len(set(targets)) == len(targets)
    loss[0] = 0.0
    steps.negative_sampling(syn0, row, word, syn1.copy(), negative, bounds, sampling.draw_index(bounds),
                            np.uint64(r), np.zeros(syn0.shape[1], np.float32), eta, TABLE, loss_table, loss,
                            np.zeros(negative + 1, np.int64))
    assert loss[0] == pytest.approx(oracle_loss(syn0[row].astype(np.float64), syn1.astype(np.float64), targets,
                                                labels), rel=1e-5)
