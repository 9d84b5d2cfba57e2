"""Continuous window (cwindow, ``-type 2``; Ling et al. 2015, wang2vec's type 2):
the centre word is predicted from the concatenation of its context rows in their
window positions, so that word order matters.

The projection ``neu1`` has ``2 window x size`` columns: slot ``a`` (see
:func:`~.context.collect_positions`) holds the row of the word at that relative
position, or zeros past a sentence's end. The output matrices ``syn1`` and
``syn1neg`` are as wide, so the shared steps (:mod:`.steps`) train the projection
exactly as they train CBOW's averaged one; the input gradient ``neu1e`` is as wide,
and each context row gets its own slot of it.
"""

import numpy as np
from numba import njit

from .context import collect_positions
from .regularise import add_input_gradient, decay_factors, finish_outputs
from .rows import prefetch_row
from .steps import draw_targets, hierarchical_softmax, train_targets


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", _nrt=False)
def train_cwindow_position(sentence, length, position, window, syn0, syn1, syn1neg, codes, points,
                           code_lengths, hs, negative, bounds, index, r, neu1, neu1e, contexts, slots, targets,
                           alpha, exp_table, loss_table, loss, hot, l2_in, l2_out, cap):
    """One cwindow step: predict ``sentence[position]`` from the concatenated rows of
    the full window (no random shrink, as in wang2vec). Returns the generator.

    ``neu1`` is ``(1, 2 window size)`` and ``neu1e`` ``(2 window size,)``;
    ``contexts`` and ``slots`` (2 window) and ``targets`` (negative + 1) are scratch
    space. Hierarchical softmax runs before negative sampling, as in the other
    architectures; ``l2_in``, ``l2_out`` and ``cap`` are those of :mod:`.regularise`.
    """
    word = sentence[position]
    size = syn0.shape[1]
    width = neu1.shape[1]
    cw = collect_positions(sentence, length, position, window, contexts, slots)
    for k in range(cw):
        prefetch_row(syn0, contexts[k])
    if cw > 0:
        n_out = 0
        if negative > 0:
            n_out, r = draw_targets(word, negative, bounds, index, syn1neg.shape[0], r, targets)
            for j in range(1, n_out):
                prefetch_row(syn1neg, targets[j])
        row = np.int64(0)
        for c in range(width):
            neu1[row, c] = 0
            neu1e[c] = 0
        for k in range(cw):
            last = contexts[k]
            offset = slots[k] * size
            for c in range(size):
                neu1[row, offset + c] = syn0[last, c]
        if hs:
            hierarchical_softmax(neu1, row, word, syn1, codes, points, code_lengths, neu1e, alpha, exp_table,
                                 loss_table, loss, hot)
        if negative > 0:
            train_targets(neu1, row, syn1neg, targets, n_out, neu1e, alpha, exp_table, loss_table, loss)
        factor_in, factor_out = decay_factors(alpha, l2_in, l2_out)
        if factor_out != np.float32(1) or cap > 0:
            finish_outputs(syn1, syn1neg, word, hs, points, code_lengths, hot, targets, n_out, factor_out, cap)
        for k in range(cw):
            add_input_gradient(syn0, contexts[k], neu1e, slots[k] * size, factor_in, cap)
    return r
