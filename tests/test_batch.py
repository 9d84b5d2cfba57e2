"""Batched skip-gram (``-batch 1``, HogBatch): the update rule against plain numpy,
and training with it on a corpus with planted analogies.

For a centre word with context rows C (one per context word, duplicates included)
and output rows O (the word, then its negatives: one set drawn per centre word),
the step is S = C O^T; G = alpha * (label - sigmoid(S)) with the reference's
clamping; C += G O and O += G^T C, both from the values before the step.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import loss_args, no_hot_rows, no_penalty
from word2vec_cli.kernels import skipgram
from word2vec_cli.model import sampling, weights
from word2vec_cli.model.huffman import HuffmanCodes

TABLE = weights.sigmoid_table()
REPO = Path(__file__).resolve().parent.parent


def table_sigmoid(f):
    index = ((np.float32(f) + np.float32(6)) * np.float32(83)).astype(np.int64)
    return TABLE[np.clip(index, 0, 1000)]  # outside (-6, 6) the callers clamp


def draws(r, n, bounds, word, n_words):
    """The reference's negative draws from generator state r: (targets, labels, r)."""
    targets, labels = [word], [1.0]
    mask = (1 << 64) - 1
    for _ in range(n):
        r = (r * 25214903917 + 11) & mask
        target = int(np.searchsorted(bounds, (r >> 16) % sampling.TABLE_SIZE, "right") - 1)
        if target == 0:
            target = r % (n_words - 1) + 1
        if target == word:
            continue
        targets.append(target)
        labels.append(0.0)
    return targets, np.array(labels), r


def context_words(sentence, position, shrink, window):
    return [int(sentence[position - window + a]) for a in range(shrink, 2 * window + 1 - shrink)
            if a != window and 0 <= position - window + a < len(sentence)]


def oracle_batch(syn0, syn1neg, contexts, targets, labels, alpha):
    """The batched step in float64 numpy; rows occurring twice get both contributions."""
    c = syn0[contexts].astype(np.float64)
    o = syn1neg[targets].astype(np.float64)
    scores = c @ o.T
    grads = alpha * (labels[None, :] - table_sigmoid(scores))
    grads = np.where(scores > 6, alpha * (labels[None, :] - 1), grads)
    grads = np.where(scores < -6, alpha * labels[None, :], grads)
    new0, new1 = syn0.astype(np.float64), syn1neg.astype(np.float64)
    np.add.at(new0, contexts, grads @ o)
    np.add.at(new1, targets, grads.T @ c)
    return new0, new1


def run_kernel(sentence, position, shrink, window, syn0, syn1neg, bounds, negative, r, alpha, hs=None):
    syn0, syn1neg = syn0.copy(), syn1neg.copy()
    if hs is None:
        syn1 = np.zeros((1, syn0.shape[1]), np.float32)
        codes, points, lengths = np.zeros((1, 1), np.uint8), np.zeros((1, 1), np.int32), np.zeros(1, np.int32)
    else:
        syn1, codes, points, lengths = hs
    r_after = skipgram.train_skipgram_batch_position(
        sentence, len(sentence), position, shrink, window, syn0, syn1, syn1neg, codes, points, lengths,
        hs is not None, negative, bounds, sampling.draw_index(bounds), np.uint64(r),
        np.zeros(2 * window, np.int64), np.zeros(negative + 1, np.int64),
        np.zeros((2 * window, negative + 1), np.float32), np.zeros((2 * window, syn0.shape[1]), np.float32),
        np.float32(alpha), TABLE, *loss_args(), no_hot_rows(syn1), *no_penalty())
    return syn0, syn1neg, int(r_after)


@pytest.fixture
def world():
    rng = np.random.default_rng(11)
    n_words, size = 40, 24
    syn0 = rng.normal(0, 0.4, (n_words, size)).astype(np.float32)
    syn1neg = rng.normal(0, 0.4, (n_words, size)).astype(np.float32)
    counts = np.sort(rng.integers(1, 500, n_words))[::-1].astype(np.int64)
    counts[3] = 10**6  # a frequent word: negatives repeat within a step
    return rng, syn0, syn1neg, sampling.unigram_bounds(counts), counts


@pytest.mark.parametrize("negative", [1, 4, 5, 9, 15])
@pytest.mark.parametrize("position,shrink", [(0, 0), (4, 0), (5, 2), (11, 1), (6, 4)])
def test_batched_step_equals_numpy(world, negative, position, shrink):
    rng, syn0, syn1neg, bounds, counts = world
    sentence = np.array([3, 7, 12, 7, 20, 5, 8, 3, 30, 7, 1, 2], dtype=np.int64)  # 7 and 3 repeat
    window, alpha, r = 5, 0.2, int(rng.integers(1, 2**40))
    contexts = context_words(sentence, position, shrink, window)
    targets, labels, r_expected = draws(r, negative, bounds, int(sentence[position]), len(counts))
    new0, new1 = oracle_batch(syn0, syn1neg, contexts, targets, labels, alpha)
    out0, out1, r_after = run_kernel(sentence, position, shrink, window, syn0, syn1neg, bounds, negative, r,
                                     alpha)
    assert r_after == r_expected  # one set of draws per centre word
    assert np.allclose(out0, new0, atol=2e-5)
    assert np.allclose(out1, new1, atol=2e-5)
    assert not np.allclose(out0, syn0)


def test_batched_step_clamps_large_scores(world):
    _, syn0, syn1neg, bounds, counts = world
    big0 = np.full_like(syn0, 1.0)
    big1 = np.full_like(syn1neg, 1.0)  # every score is 24 > 6: g = 0 for the word, -alpha for negatives
    sentence = np.array([1, 2, 4, 5], dtype=np.int64)
    targets, labels, _ = draws(99, 3, bounds, 2, len(counts))
    new0, new1 = oracle_batch(big0, big1, [1, 4], targets, labels, 0.5)
    out0, out1, _ = run_kernel(sentence, 1, 0, 1, big0, big1, bounds, 3, 99, 0.5)
    assert np.allclose(out0, new0) and np.allclose(out1, new1)
    assert np.allclose(out1[2], 1.0)  # the positive word's row did not move


def test_batched_step_with_hierarchical_softmax(world):
    # -hs 1 -batch 1: each context row trains its Huffman path first (from the rows
    # before the step), then the shared negatives; the row gets both gradients
    rng, syn0, syn1neg, bounds, counts = world
    huffman = HuffmanCodes(counts)
    syn1 = rng.normal(0, 0.4, syn0.shape).astype(np.float32)
    sentence = np.array([9, 4, 6, 2, 11], dtype=np.int64)
    position, word, negative, alpha = 2, 6, 5, 0.1
    contexts = context_words(sentence, position, 0, 2)
    expected1 = syn1.astype(np.float64)
    hs_grads = np.zeros((len(contexts), syn0.shape[1]))
    for k, row in enumerate(contexts):
        x = syn0[row].astype(np.float64)
        for d in range(huffman.lengths[word]):
            node, bit = huffman.points[word, d], huffman.codes[word, d]
            f = x @ expected1[node]
            if -6 < f < 6:
                g = alpha * (1 - bit - table_sigmoid(f))
                hs_grads[k] += g * expected1[node]
                expected1[node] += g * x
    targets, labels, _ = draws(5, negative, bounds, word, len(counts))
    new0, new1 = oracle_batch(syn0, syn1neg, contexts, targets, labels, alpha)
    np.add.at(new0, contexts, hs_grads)
    out1_hs = syn1.copy()
    out0, out1, _ = run_kernel(sentence, position, 0, 2, syn0, syn1neg, bounds, negative, 5, alpha,
                               hs=(out1_hs, huffman.codes, huffman.points, huffman.lengths))
    assert np.allclose(out1_hs, expected1, atol=2e-5)
    assert np.allclose(out0, new0, atol=2e-5)
    assert np.allclose(out1, new1, atol=2e-5)


def _demo_generator():
    path = REPO / "scripts" / "make_demo_corpus.py"
    if not path.exists():
        pytest.skip("scripts/make_demo_corpus.py is not there")
    spec = importlib.util.spec_from_file_location("make_demo_corpus", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_batch_training_learns_the_planted_analogies(tmp_path):
    from word2vec_cli import train
    from word2vec_cli.query.accuracy import accuracy

    gen = _demo_generator()
    corpus, questions = gen.generate(tmp_path, n_tokens=gen.SMALL_TOKENS, seed=1)
    questions = Path(questions).read_bytes()
    scores = {}
    for batch in (0, 1):
        vectors = train(corpus, cbow=0, negative=5, hs=0, iter=5, threads=2, batch=batch)
        result = accuracy(vectors, questions)
        correct = sum(section["correct"] for section in result.sections)
        total = sum(section["total"] for section in result.sections)
        scores[batch] = 100.0 * correct / total
    assert scores[1] >= 80, scores
    assert scores[1] >= scores[0] - 5, scores  # sharing negatives costs little accuracy
