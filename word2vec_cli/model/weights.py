"""The model's starting point: the reference's random generator, initial vectors,
sigmoid table and learning-rate schedule.

The learning rate and the initial vectors are computed in functions compiled without
fast-math, because fast-math may use approximate reciprocals and the reference's
float32 rounding must be reproduced exactly there.
"""

import numpy as np
from numba import njit

MAX_EXP = 6
EXP_TABLE_SIZE = 1000
#: ``EXP_TABLE_SIZE / MAX_EXP / 2`` in the reference's integer arithmetic (not 83.33).
EXP_TABLE_FACTOR = 83

#: The loss table (ours) covers (-LOSS_RANGE, LOSS_RANGE) in LOSS_TABLE_SIZE steps;
#: beyond it -log sigmoid(z) is -z or 0 to within 1.2e-7.
LOSS_RANGE = 16.0
LOSS_TABLE_SIZE = 4096

_LCG_MULTIPLIER = np.uint64(25214903917)
_LCG_INCREMENT = np.uint64(11)


def sigmoid_table(skip_beyond=False):
    """Return the reference's float32 sigmoid table (1001 entries).

    Entry ``i`` is ``sigmoid((i / 1000 * 2 - 1) * 6)`` computed as the reference does:
    the argument in float32, ``exp`` in float64, the ratio in float32. The last entry,
    unused by the lookups, tells the negative-sampling step what to do with a score
    beyond (-6, 6): 0 (the reference) clamps the sigmoid to 0 or 1, 1
    (``skip_beyond``, gensim's rule) leaves that output untrained.
    """
    i = np.arange(EXP_TABLE_SIZE, dtype=np.float32)
    x = (i / np.float32(EXP_TABLE_SIZE) * np.float32(2) - np.float32(1)) * np.float32(MAX_EXP)
    e = np.exp(x.astype(np.float64)).astype(np.float32)
    table = np.zeros(EXP_TABLE_SIZE + 1, dtype=np.float32)
    table[:EXP_TABLE_SIZE] = e / (e + np.float32(1))
    table[EXP_TABLE_SIZE] = 1 if skip_beyond else 0
    return table


@njit(cache=True, nogil=True, inline="always")
def next_random(r):
    """Advance the reference's generator: ``r * 25214903917 + 11`` modulo 2**64."""
    return r * _LCG_MULTIPLIER + _LCG_INCREMENT


@njit(cache=True, nogil=True)
def initial_vectors(n_words, size, seed):
    """Return ``syn0`` initialised as the reference does (generator seeded with ``seed``).

    Each component, row by row, is ``((r & 0xFFFF) / 65536 - 0.5) / size`` with the
    division by 65536 in float32 and the rest in float64, rounded to float32.
    """
    syn0 = np.empty((n_words, size), dtype=np.float32)
    r = np.uint64(seed)
    for i in range(n_words):
        for j in range(size):
            r = next_random(r)
            uniform = np.float32(r & np.uint64(0xFFFF)) / np.float32(65536)
            syn0[i, j] = np.float32((np.float64(uniform) - 0.5) / size)
    return syn0


def initial_input_vectors(opts, n_words):
    """Return ``syn0`` as a run with the resolved options ``opts`` starts it: the
    reference's initialisation (:func:`initial_vectors`, seeded with ``seed + 1``),
    doubled with ``-quality init`` (gensim's range, ``(-1/size, 1/size)``)."""
    syn0 = initial_vectors(n_words, opts.size, (opts.seed + 1) % (1 << 64))
    if "init" in opts.quality_changes():
        syn0 *= np.float32(2)
    return syn0


@njit(cache=True, nogil=True)
def learning_rate(starting_alpha, words_done, total):
    """Return ``starting_alpha * (1 - words_done / total)`` in float32, floored at
    ``starting_alpha * 1e-4`` (that product in float64), as the reference computes it."""
    alpha = starting_alpha * (np.float32(1) - np.float32(words_done) / np.float32(total))
    floor = np.float64(starting_alpha) * 0.0001
    if alpha < floor:
        alpha = np.float32(floor)
    return alpha


@njit(cache=True, nogil=True)
def linear_rate(starting_alpha, min_alpha, words_done, total):
    """Return gensim's learning rate: from ``starting_alpha`` linearly down to
    ``min_alpha`` at ``words_done == total`` (float32; ``-quality`` option ``floor``)."""
    done = min(np.float64(words_done) / np.float64(total), 1.0)
    return np.float32(starting_alpha - (starting_alpha - min_alpha) * done)


def loss_table():
    """Return ``-log(sigmoid(z))`` at ``LOSS_TABLE_SIZE + 1`` evenly spaced ``z`` from
    ``-LOSS_RANGE`` to ``LOSS_RANGE`` (float32, 16 KB), for
    :func:`~word2vec_cli.kernels.steps.output_loss`.

    The training objective's terms are ``log sigmoid(score)`` for a target labelled 1
    and ``log sigmoid(-score)`` for one labelled 0; this table, interpolated, gives
    them to about 1e-5 at the cost of a lookup instead of a ``log`` and an ``exp``.
    """
    z = np.linspace(-LOSS_RANGE, LOSS_RANGE, LOSS_TABLE_SIZE + 1)
    return np.logaddexp(0.0, -z).astype(np.float32)
