"""The L2 penalty (``-l2``) and the weight clamp (``-cap``), applied to the rows a
step touched, after the shared output steps (:mod:`.steps`) have updated them.

The penalty belongs to each training sample: a sample's objective is its outputs'
log-likelihood minus ``lambda / 2`` times the squared norms of the rows it uses (the
input rows and the output rows it trains), so stochastic gradient ascent decays
exactly the rows that a sample touches, by ``1 - alpha * lambda``, and no others.
The README ("Word order, regularisation and the hybrid") relates this to the
uniform penalty on every row.
"""

import numpy as np
from numba import njit

from .steps import hot_row


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def scale_row(matrix, row, factor):
    """Multiply ``matrix[row]`` by ``factor``."""
    for c in range(matrix.shape[1]):
        matrix[row, c] *= factor


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def clamp_row(matrix, row, limit):
    """Clamp every element of ``matrix[row]`` to ``[-limit, limit]``."""
    for c in range(matrix.shape[1]):
        x = matrix[row, c]
        if x > limit:
            matrix[row, c] = limit
        elif x < -limit:
            matrix[row, c] = -limit


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def finish_row(matrix, row, factor, cap):
    """Scale ``matrix[row]`` by ``factor`` (unless it is 1) and clamp it to
    ``[-cap, cap]`` (unless ``cap`` is 0)."""
    if factor != np.float32(1):
        scale_row(matrix, row, factor)
    if cap > 0:
        clamp_row(matrix, row, cap)


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def finish_outputs(syn1, syn1neg, word, hs, points, code_lengths, hot, targets, n_out, factor, cap):
    """Apply :func:`finish_row` to the output rows one step trained: the Huffman
    path of ``word`` in ``syn1`` (when ``hs``; through this thread's hot rows, see
    :func:`~.steps.hot_row`) and ``targets[:n_out]`` in ``syn1neg``. A row trained
    twice (a negative drawn twice) is finished twice, as it was trained twice."""
    if hs:
        for d in range(code_lengths[word]):
            finish_row(syn1, hot_row(points[word, d], hot[0], hot[1]), factor, cap)
    for j in range(n_out):
        finish_row(syn1neg, targets[j], factor, cap)


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def add_input_gradient(syn0, row, gradient, offset, factor, cap):
    """Set ``syn0[row]`` to ``factor * syn0[row] + gradient[offset:offset + size]``
    (the penalised input update; ``factor`` 1 is the plain ``+=``), then clamp it
    when ``cap`` > 0."""
    if factor != np.float32(1):
        for c in range(syn0.shape[1]):
            syn0[row, c] = factor * syn0[row, c] + gradient[offset + c]
    else:
        for c in range(syn0.shape[1]):
            syn0[row, c] += gradient[offset + c]
    if cap > 0:
        clamp_row(syn0, row, cap)


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy", inline="always")
def decay_factors(alpha, l2_in, l2_out):
    """Return the factors ``(1 - alpha * l2_in, 1 - alpha * l2_out)`` of the input
    and output rows a step touches (exactly 1 when the penalty is 0)."""
    return np.float32(1) - alpha * l2_in, np.float32(1) - alpha * l2_out
