"""Estimating training work, to split the corpus between threads so that they
finish together."""

import numpy as np
from numba import njit

from .context import MAX_SENTENCE_LENGTH


@njit(cache=True, nogil=True)
def sentence_work(kept, window, cbow, outputs):
    """Return the expected training work of a sentence with ``kept`` words left
    after subsampling, in row operations (a dot product or an update of a row).

    A position with a window shrunk to ``h`` (uniform in 1..window) has
    ``min(h, i) + min(h, kept - 1 - i)`` context words. Skip-gram trains ``outputs``
    rows (the word and its negatives, or its Huffman nodes) per context word, CBOW
    per position; each costs a dot product and two updates.
    """
    pairs = 0.0
    for i in range(min(kept, window)):  # context words one side, near each end
        reach = 0.0
        for h in range(1, window + 1):
            reach += min(h, i)
        pairs += 2 * reach / window
    if kept > window:
        pairs += 2 * (kept - window) * (window + 1) / 2
    if cbow:
        return kept * (3 * outputs + 1) + 2 * pairs
    return pairs * (3 * outputs + 1)


#: The work estimate reads this many tokens at the start of each of at most
#: SHARE_BLOCKS equal blocks of the corpus (at most 4M tokens, 16 MB, in all).
SHARE_SAMPLE = 4096


SHARE_BLOCKS = 1024


@njit(cache=True, nogil=True)
def sample_work(sample, keep, window, cbow, outputs):
    """Return the expected training work (:func:`sentence_work`) of the sentences in
    the token ids ``sample``. ``keep`` holds the subsampling keep probabilities
    (above 1 means always kept); ``</s>`` (id 0) ends sentences, as do 1000 words."""
    total = 0.0
    kept = 0.0
    length = 0
    stop = sample.shape[0]
    for i in range(stop + 1):
        if i == stop or sample[i] == 0 or length >= MAX_SENTENCE_LENGTH:
            total += sentence_work(np.int64(kept + 0.5), window, cbow, outputs)
            kept = 0.0
            length = 0
        if i < stop and sample[i] != 0:
            kept += min(np.float64(keep[sample[i]]), 1.0)
            length += 1
    return total


@njit(cache=True, nogil=True)
def balanced_shares(work, n, threads):
    """Return ``threads + 1`` offsets that split ``n`` tokens into shares of about
    equal training work, for threads that should finish together.

    ``work`` is cumulative over equal blocks: ``work[b + 1] - work[b]`` is the
    estimated work of block ``b`` of ``len(work) - 1`` (see :func:`sample_work`).
    Equal numbers of tokens are not equal work: subsampling keeps a different share
    of each part, and skip-gram trains fewer context words in short sentences (on
    the dev corpus one half of the tokens is 25% more skip-gram work than the other).
    Within a block the work is taken as even.
    """
    n_blocks = work.shape[0] - 1
    shares = np.zeros(threads + 1, dtype=np.int64)
    shares[threads] = n
    b = 0
    for k in range(1, threads):
        goal = work[n_blocks] * k / threads
        while b < n_blocks - 1 and work[b + 1] < goal:
            b += 1
        begin = b * n // n_blocks
        end = (b + 1) * n // n_blocks
        within = (goal - work[b]) / max(work[b + 1] - work[b], 1e-300)
        shares[k] = max(shares[k - 1], min(end, begin + np.int64(within * (end - begin))))
    return shares
