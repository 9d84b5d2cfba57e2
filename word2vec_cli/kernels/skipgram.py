"""Skip-gram: each context row predicts the centre word; and its batched variant
(``-batch 1``, HogBatch), where the context words share one set of negatives."""

import numpy as np
from numba import njit

from .context import collect_context
from .regularise import add_input_gradient, decay_factors, finish_outputs, finish_row
from .rows import axpy, axpy4, dot, dot4, prefetch_row, prefetch_rows
from .steps import draw_targets, hierarchical_softmax, ns_gradient, output_loss, step_suffix, train_targets


def skipgram_step(HS=True, NS=True, PLAIN=False):
    """Return :func:`train_skipgram_position` compiled without the branches a run
    does not take (``HS``, ``NS``, ``PLAIN`` as in :func:`~.cbow.cbow_step`)."""
    key = HS, NS, PLAIN = bool(HS), bool(NS), bool(PLAIN)
    step = _STEPS.get(key)
    if step is not None:
        return step

    def train_skipgram_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg, codes,
                                points, code_lengths, hs, negative, bounds, index, r, neu1e, contexts, targets,
                                n_targets, alpha, exp_table, loss_table, loss, hot, l2_in, l2_out, cap):
        """One skip-gram step: each context word's row predicts ``sentence[position]``
        and gets its gradient right after. Returns the generator; the
        loss of every output trained is added to ``loss[0]`` (:func:`~.steps.output_loss`).

        The negatives of all context words are drawn first (nothing else uses the
        generator until the next centre word, so the draws are the reference's), which
        lets the rows of the next context word be fetched into cache while the current
        one trains. ``contexts`` (2 window), ``targets`` (2 window x negative + 1) and
        ``n_targets`` (2 window) are scratch space. ``l2_in``, ``l2_out`` and ``cap``
        are the penalty and clamp of :mod:`.regularise` (all 0: the reference's step).
        """
        word = sentence[position]
        size = neu1e.shape[0]
        n_in = collect_context(sentence, length, position, shrink, window, contexts)
        if NS and negative > 0:
            for k in range(n_in):
                n_targets[k], r = draw_targets(word, negative, bounds, index, syn1neg.shape[0], r, targets[k])
        if n_in > 0:
            prefetch_rows(syn0, contexts[0], syn1neg, targets[0], n_targets[0] if negative > 0 else 0)
        plain = PLAIN or (l2_in == 0 and l2_out == 0 and cap == 0)  # the reference's step
        factor_in, factor_out = decay_factors(alpha, l2_in, l2_out)
        for k in range(n_in):
            if k + 1 < n_in:
                prefetch_rows(syn0, contexts[k + 1], syn1neg, targets[k + 1], n_targets[k + 1] if negative > 0 else 0)
            last = contexts[k]
            for c in range(size):
                neu1e[c] = 0
            if HS and hs:
                hierarchical_softmax(syn0, last, word, syn1, codes, points, code_lengths, neu1e, alpha, exp_table,
                                     loss_table, loss, hot)
            if NS and negative > 0:
                train_targets(syn0, last, syn1neg, targets[k], n_targets[k], neu1e, alpha, exp_table, loss_table, loss)
            if PLAIN or plain:
                for c in range(size):
                    syn0[last, c] += neu1e[c]
            else:
                finish_outputs(syn1, syn1neg, word, hs, points, code_lengths, hot, targets[k],
                               n_targets[k] if negative > 0 else 0, factor_out, cap)
                add_input_gradient(syn0, last, neu1e, 0, factor_in, cap)
        return r

    train_skipgram_position.__qualname__ = "train_skipgram_position" + step_suffix(*key)
    step = _STEPS[key] = njit(cache=True, nogil=True, fastmath=True, error_model="numpy", _nrt=False)(
        train_skipgram_position)
    return step


_STEPS = {}
train_skipgram_position = skipgram_step()


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", _nrt=False)
def train_skipgram_batch_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg, codes,
                                  points, code_lengths, hs, negative, bounds, index, r, contexts, targets,
                                  grads, grad_in, alpha, exp_table, loss_table, loss, hot, l2_in, l2_out, cap):
    """One batched skip-gram step (``-batch 1``, HogBatch): all context words of
    ``sentence[position]`` share one set of negative samples.

    With ``C`` the context rows of ``syn0`` and ``O`` the output rows of ``syn1neg``
    (the centre word, label 1, then the drawn negatives, label 0; a draw of the
    centre word is skipped), the step computes the scores ``C O^T``, the gradients
    ``G = (label - sigmoid(score)) * alpha`` (clamped as in :func:`ns_gradient`), and
    then ``C += G O`` and ``O += G^T C``, both from the values before the step. The
    generator is used as in the plain step (window shrink, then one draw per
    negative), but ``negative`` draws per centre word instead of per context word.
    With ``hs`` the Huffman path is trained per context word first, as usual.
    ``contexts``, ``targets``, ``grads`` (2 window x negative + 1) and ``grad_in``
    (2 window x size) are the caller's scratch buffers. Returns the generator.
    With ``l2_in``, ``l2_out`` or ``cap`` (:mod:`.regularise`), the rows are decayed
    and clamped after the whole update (inputs too: ``(1 - alpha l2)(v + dv)``).
    """
    word = sentence[position]
    size = syn0.shape[1]
    n_in = collect_context(sentence, length, position, shrink, window, contexts)
    for k in range(n_in):
        prefetch_row(syn0, contexts[k])
        for c in range(size):
            grad_in[k, c] = 0
    if n_in > 0:
        if hs:
            for k in range(n_in):
                hierarchical_softmax(syn0, contexts[k], word, syn1, codes, points, code_lengths, grad_in[k],
                                     alpha, exp_table, loss_table, loss, hot)
        n_out, r = draw_targets(word, negative, bounds, index, syn1neg.shape[0], r, targets)
        for j in range(1, n_out):
            prefetch_row(syn1neg, targets[j])
        batch_gradients(syn0, contexts, n_in, syn1neg, targets, n_out, grads, alpha, exp_table, loss_table, loss)
        batch_update(syn0, contexts, n_in, syn1neg, targets, n_out, grads, grad_in)
        factor_in, factor_out = decay_factors(alpha, l2_in, l2_out)
        if factor_out != np.float32(1) or cap > 0:
            for k in range(n_in):  # the Huffman path was trained once per context word
                finish_outputs(syn1, syn1neg, word, hs, points, code_lengths, hot, targets, 0, factor_out, cap)
            finish_outputs(syn1, syn1neg, word, False, points, code_lengths, hot, targets, n_out, factor_out, cap)
        if factor_in != np.float32(1) or cap > 0:
            for k in range(n_in):
                finish_row(syn0, contexts[k], factor_in, cap)
    return r


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def batch_gradients(syn0, contexts, n_in, syn1neg, targets, n_out, grads, alpha, exp_table, loss_table,
                    loss):
    """Set ``grads[k, j]`` to the gradient of the score of ``syn0[contexts[k]]`` and
    ``syn1neg[targets[j]]`` (label 1 for ``j = 0``), four targets per pass, and add their losses to ``loss[0]``."""
    for k in range(n_in):
        row = contexts[k]
        j = 0
        while j + 4 <= n_out:
            grads[k, j], grads[k, j + 1], grads[k, j + 2], grads[k, j + 3] = dot4(
                syn0, row, syn1neg, targets[j], targets[j + 1], targets[j + 2], targets[j + 3])
            j += 4
        while j < n_out:
            grads[k, j] = dot(syn0, row, syn1neg, targets[j])
            j += 1
        if loss.shape[0] > 0:  # loss tracking is on
            loss[0] += output_loss(grads[k, 0], 1, loss_table)
            for j in range(1, n_out):
                loss[0] += output_loss(grads[k, j], 0, loss_table)
        grads[k, 0] = ns_gradient(grads[k, 0], np.float32(1), alpha, exp_table)
        for j in range(1, n_out):
            grads[k, j] = ns_gradient(grads[k, j], np.float32(0), alpha, exp_table)


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def batch_update(syn0, contexts, n_in, syn1neg, targets, n_out, grads, grad_in):
    """Apply ``C += G O`` (through ``grad_in``, which may already hold the Huffman
    gradients) and ``O += G^T C``, both from the rows before the step; rows that
    occur twice get both contributions."""
    for k in range(n_in):  # grad_in += G O, from the output rows before their update
        j = 0
        while j + 4 <= n_out:
            axpy4(grads[k, j], grads[k, j + 1], grads[k, j + 2], grads[k, j + 3], syn1neg, targets[j],
                  targets[j + 1], targets[j + 2], targets[j + 3], grad_in, k)
            j += 4
        while j < n_out:
            axpy(grads[k, j], syn1neg, targets[j], grad_in, k)
            j += 1
    for j in range(n_out):  # O += G^T C: each output row stays in L1 while contexts are added
        row = targets[j]
        k = 0
        while k + 4 <= n_in:
            axpy4(grads[k, j], grads[k + 1, j], grads[k + 2, j], grads[k + 3, j], syn0, contexts[k],
                  contexts[k + 1], contexts[k + 2], contexts[k + 3], syn1neg, row)
            k += 4
        while k < n_in:
            axpy(grads[k, j], syn0, contexts[k], syn1neg, row)
            k += 1
    for k in range(n_in):
        axpy(np.float32(1), grad_in, k, syn0, contexts[k])
