"""Structured skip-gram (``-type 3``; Ling et al. 2015, wang2vec's type 3): skip-gram
with one block of output weights per relative position, so that a context word
predicts the centre word differently from the left and from the right.

The output matrices hold ``2 window`` blocks one after the other: ``syn1`` is
``(2 window x rows, size)`` and block ``a`` (a :func:`~.context.collect_positions`
slot) is the ordinary output matrix of that position, ``syn1[a rows:(a + 1) rows]``.
Each context row is trained by the shared steps (:mod:`.steps`) against its
position's block, so the steps are the skip-gram ones, unchanged.
"""

import numpy as np
from numba import njit

from .context import collect_positions
from .regularise import add_input_gradient, decay_factors, finish_outputs
from .rows import prefetch_rows
from .steps import draw_targets, hierarchical_softmax, train_targets


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def position_blocks(matrix, window):
    """Return ``matrix`` viewed as ``(2 window, rows, size)``: one output matrix per slot."""
    blocks = 2 * window
    return matrix.reshape((blocks, matrix.shape[0] // blocks, matrix.shape[1]))


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", _nrt=False)
def train_structured_position(sentence, length, position, window, syn0, syn1, syn1neg, codes, points,
                              code_lengths, hs, negative, bounds, index, r, neu1e, contexts, slots, targets,
                              n_targets, alpha, exp_table, loss_table, loss, hot, l2_in, l2_out, cap):
    """One structured skip-gram step: each word of the full window (no random
    shrink, as in wang2vec) predicts ``sentence[position]`` through its position's
    block of output weights and gets its gradient right after. Returns the generator.

    As in skip-gram, the negatives of all context words are drawn first (the
    generator's sequence is the same as drawing them in turn). ``contexts``,
    ``slots``, ``n_targets`` (2 window) and ``targets`` (2 window x negative + 1)
    are scratch space; ``l2_in``, ``l2_out`` and ``cap`` are those of :mod:`.regularise`.
    """
    word = sentence[position]
    n_in = collect_positions(sentence, length, position, window, contexts, slots)
    if negative > 0:
        for k in range(n_in):
            n_targets[k], r = draw_targets(word, negative, bounds, index, syn1neg.shape[0] // (2 * window), r,
                                           targets[k])
    hs_blocks = position_blocks(syn1, window)
    ns_blocks = position_blocks(syn1neg, window)
    factor_in, factor_out = decay_factors(alpha, l2_in, l2_out)
    finish = factor_out != np.float32(1) or cap > 0
    for k in range(n_in):
        last = contexts[k]
        block = slots[k]
        outputs = ns_blocks[block]
        prefetch_rows(syn0, last, outputs, targets[k], n_targets[k] if negative > 0 else 0)
        for c in range(neu1e.shape[0]):
            neu1e[c] = 0
        if hs:
            hierarchical_softmax(syn0, last, word, hs_blocks[block], codes, points, code_lengths, neu1e, alpha,
                                 exp_table, loss_table, loss, hot)
        if negative > 0:
            train_targets(syn0, last, outputs, targets[k], n_targets[k], neu1e, alpha, exp_table, loss_table, loss)
        if finish:
            finish_outputs(hs_blocks[block], outputs, word, hs, points, code_lengths, hot, targets[k],
                           n_targets[k] if negative > 0 else 0, factor_out, cap)
        add_input_gradient(syn0, last, neu1e, 0, factor_in, cap)
    return r
