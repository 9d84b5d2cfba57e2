"""CBOW: one centre word predicted from the average of its context rows."""

import numpy as np
from numba import njit

from .context import collect_context
from .regularise import add_input_gradient, decay_factors, finish_outputs
from .rows import prefetch_row, prefetch_rows
from .steps import draw_targets, hierarchical_softmax, step_suffix, train_targets


def cbow_step(HS=True, NS=True, PLAIN=False):
    """Return :func:`train_cbow_position` compiled for a run without hierarchical
    softmax (``HS`` False), without negative sampling (``NS`` False) or without
    penalty and clamp (``PLAIN``): closure constants, so that numba leaves out those
    branches' code before compiling (a first run compiles less). The defaults keep
    every branch, decided by the arguments."""
    key = HS, NS, PLAIN = bool(HS), bool(NS), bool(PLAIN)
    step = _STEPS.get(key)
    if step is not None:
        return step

    def train_cbow_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg, codes, points,
                            code_lengths, hs, negative, bounds, index, r, neu1, neu1e, contexts, targets, alpha,
                            exp_table, loss_table, loss, hot, l2_in, l2_out, cap):
        """One CBOW step: predict ``sentence[position]`` from the average of its context.

        The gradient is added, undivided, to every context row. Returns the generator; the
        loss of every output trained is added to ``loss[0]`` (:func:`~.steps.output_loss`).
        The context rows and the negatives' rows are fetched into cache (the negatives
        drawn) before the context is summed. ``contexts`` (2 window) and ``targets``
        (negative + 1) are scratch space. ``l2_in``, ``l2_out`` and ``cap`` are the
        penalty and clamp of :mod:`.regularise` (all 0: the reference's step).
        """
        word = sentence[position]
        size = neu1.shape[1]
        cw = collect_context(sentence, length, position, shrink, window, contexts)
        for k in range(cw):
            prefetch_row(syn0, contexts[k])
        if cw > 0:  # one exit: numba prunes reference counting only in simple control flow
            n_out = 0
            if NS and negative > 0:
                n_out, r = draw_targets(word, negative, bounds, index, syn1neg.shape[0], r, targets)
                prefetch_rows(syn0, contexts[0], syn1neg, targets, n_out)
            row = np.int64(0)  # a literal 0 argument would make numba compile the callees twice
            for c in range(size):
                neu1[row, c] = 0
                neu1e[c] = 0
            for k in range(cw):
                last = contexts[k]  # a local: a row number read inside the loop would be reloaded
                for c in range(size):  # after every store, for all LLVM knows, and not vectorised
                    neu1[row, c] += syn0[last, c]
            inverse = np.float32(cw)
            for c in range(size):
                neu1[row, c] /= inverse
            if HS and hs:
                hierarchical_softmax(neu1, row, word, syn1, codes, points, code_lengths, neu1e, alpha, exp_table,
                                     loss_table, loss, hot)
            if NS and negative > 0:
                train_targets(neu1, row, syn1neg, targets, n_out, neu1e, alpha, exp_table, loss_table, loss)
            if PLAIN or (l2_in == 0 and l2_out == 0 and cap == 0):  # the reference's step
                for k in range(cw):
                    last = contexts[k]
                    for c in range(size):
                        syn0[last, c] += neu1e[c]
            else:
                factor_in, factor_out = decay_factors(alpha, l2_in, l2_out)
                finish_outputs(syn1, syn1neg, word, hs, points, code_lengths, hot, targets, n_out, factor_out, cap)
                for k in range(cw):
                    add_input_gradient(syn0, contexts[k], neu1e, 0, factor_in, cap)
        return r

    train_cbow_position.__qualname__ = "train_cbow_position" + step_suffix(*key)
    step = _STEPS[key] = njit(cache=True, nogil=True, fastmath=True, error_model="numpy", _nrt=False)(
        train_cbow_position)
    return step


_STEPS = {}
train_cbow_position = cbow_step()
