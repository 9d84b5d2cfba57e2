"""Negative-sampling table without the table, and subsampling (REFERENCE.md section 1)."""

import numpy as np
import pytest

from word2vec_cli.kernels import steps
from word2vec_cli.model import sampling, weights


def explicit_table(counts, table_size, power=sampling.POWER):
    """Build the reference's unigram table literally (for tests with a small size).

    Returns an int32 array of ``table_size`` word ids.
    """
    counts = np.asarray(counts, dtype=np.float64)
    n = len(counts)
    total = 0.0
    for c in counts:
        total += c ** power
    table = np.empty(table_size, dtype=np.int32)
    i = 0
    d1 = counts[0] ** power / total
    for a in range(table_size):
        table[a] = i
        if a / table_size > d1:
            i += 1
            d1 += (counts[i] ** power / total) if i < n else 0.0
        if i >= n:
            i = n - 1
    return table


def zipf_counts(rng, n):
    counts = np.sort(rng.zipf(1.2, size=n).clip(max=10**7))[::-1].astype(np.int64)
    counts[0] = rng.integers(0, 50)  # </s> may have any count, even 0
    return counts


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("table_size", [997, 10_000, 200_000])
def test_negative_draws_equal_the_explicit_table(seed, table_size):
    rng = np.random.default_rng(seed)
    counts = zipf_counts(rng, int(rng.integers(2, 3000)))
    table = explicit_table(counts, table_size)
    bounds = sampling.unigram_bounds(counts, table_size)
    positions = np.arange(table_size)
    drawn = np.array([steps.draw_negative(bounds, p) for p in positions[:: max(1, table_size // 5000)]])
    assert (drawn == table[:: max(1, table_size // 5000)]).all()
    assert (np.searchsorted(bounds, positions, "right") - 1 == table).all()


def test_rare_words_that_the_table_skips_stay_skipped():
    # words with a share below 1/table_size get no entry, exactly as in the reference
    counts = np.array([5, 10**6, 10**6] + [1] * 50, dtype=np.int64)
    table = explicit_table(counts, 1000)
    bounds = sampling.unigram_bounds(counts, 1000)
    assert (np.searchsorted(bounds, np.arange(1000), "right") - 1 == table).all()
    assert len(np.unique(table)) < len(counts)


def test_bounds_use_memory_of_the_vocabulary_not_the_table():
    counts = np.arange(1000, 0, -1, dtype=np.int64)
    assert sampling.unigram_bounds(counts).nbytes == 8 * (len(counts) + 1)


def reference_keep(count, sample, train_words):
    """The reference's expression, step by step, with its C types."""
    threshold = np.float32(np.float32(sample) * np.float32(train_words))  # float * long long -> float
    ratio = np.float32(np.float32(count) / threshold)  # long long / float -> float
    value = (np.sqrt(np.float64(ratio)) + 1.0) * np.float64(threshold) / np.float64(count)
    return np.float32(value)


def test_keep_probability_uses_the_reference_precision():
    counts = np.array([0, 1, 2, 3, 17, 1000, 123457, 9_999_991], dtype=np.int64)
    for sample in (1e-3, 1e-4, 1e-5):
        keep = sampling.keep_probabilities(counts, sample, 17_005_207)
        assert keep.dtype == np.float32
        for c, k in zip(counts[1:], keep[1:]):
            assert k == reference_keep(c, sample, 17_005_207)
            exact = (np.sqrt(c / (sample * 17_005_207)) + 1) * (sample * 17_005_207) / c
            assert k == pytest.approx(exact, rel=1e-6)


def test_keep_probability_drives_the_observed_keep_rate():
    # draws (r & 0xFFFF) / 65536 from the reference's generator: the kept fraction
    # of a frequent word matches its keep probability
    keep = float(sampling.keep_probabilities(np.array([1, 200_000]), 1e-3, 1_000_000)[1])
    r = np.uint64(0)
    kept = 0
    trials = 20000
    for _ in range(trials):
        r = weights.next_random(r)
        kept += keep >= float(np.float32(int(r) & 0xFFFF) / np.float32(65536))
    assert kept / trials == pytest.approx(keep, abs=0.015)


def test_no_subsampling_keeps_everything():
    assert (sampling.keep_probabilities(np.array([1, 10**9]), 0, 10**9) > 1).all()


def test_sigmoid_table_factor_and_values():
    table = weights.sigmoid_table()
    assert table.shape == (1001,) and table.dtype == np.float32
    x = (np.arange(1000) / 1000 * 2 - 1) * 6
    assert np.allclose(table[:1000], 1 / (1 + np.exp(-x)), atol=1e-6)
    assert weights.EXP_TABLE_FACTOR == 83


@pytest.mark.parametrize("seed,n_words", [(0, 30), (1, 3000), (2, 200_000)])
def test_indexed_draws_equal_the_table_at_full_size(seed, n_words):
    # the bucket index must give exactly the table's word: random positions, both
    # sides of every run boundary and of every bucket boundary
    rng = np.random.default_rng(seed)
    counts = zipf_counts(rng, n_words)
    bounds = sampling.unigram_bounds(counts)
    index = sampling.draw_index(bounds)
    assert index.nbytes < 200_000  # fixed size, whatever the vocabulary
    buckets = np.arange(len(index) - 1, dtype=np.int64) << sampling.DRAW_INDEX_SHIFT
    positions = np.concatenate([rng.integers(0, sampling.TABLE_SIZE, 100_000), bounds[:-1], bounds[1:] - 1,
                                buckets, buckets - 1, [0, sampling.TABLE_SIZE - 1]])
    positions = positions[(positions >= 0) & (positions < sampling.TABLE_SIZE)]
    expected = np.searchsorted(bounds, positions, "right") - 1
    drawn = np.array([steps.draw_negative_indexed(bounds, index, p) for p in positions])
    assert (drawn == expected).all()
