"""One thread's share of training: the reference's loop over sentences and epochs.

:func:`train_thread` reads sentences from the token file (subsampling as it goes),
picks the window shrink from the reference's generator and calls the position step
of the architecture (:mod:`.cbow`, :mod:`.skipgram`), which in turn call the shared
output steps (:mod:`.steps`). It releases the GIL, so several Python threads run it
at once on shared matrices without locks (Hogwild), as the reference's pthreads do.

Speed (measured with scripts/profile_kernels.py; see the comments at each place):
negative draws use a fixed-size bucket index instead of a binary search over the
vocabulary; the hot path is free of numba's reference counting (inlined helpers,
``_nrt=False`` step functions); output rows are trained four at a time when that is
exactly the reference's order; ``-batch 1`` adds HogBatch skip-gram, which shares
one set of negatives among the context words of a centre word.
"""

import numpy as np
from numba import njit

from ..model.weights import learning_rate, next_random
from .cbow import train_cbow_position
from .context import MAX_SENTENCE_LENGTH
from .skipgram import train_skipgram_batch_position, train_skipgram_position
from .steps import merge_hot_rows

#: Threads publish their word counts and recompute the learning rate this often.
UPDATE_EVERY = 10000
#: With several threads, each trains private copies of this many Huffman nodes
#: nearest the root (see :func:`train_thread`).
HOT_NODES = 32
#: ... and merges them back into the shared rows after this many centre words.
HOT_MERGE_EVERY = 64

#: Elements kept free on both sides of a thread's scratch arrays (at least two
#: 64-byte cache lines for 4-byte elements).
_PAD = 32


@njit(cache=True, nogil=True, inline="always")
def thread_private(n, dtype):
    """Return ``n`` zeros of ``dtype`` inside a larger allocation, ``_PAD`` elements
    from either end, so that no cache line also holds another allocation."""
    return np.zeros(n + 2 * _PAD, dtype=dtype)[_PAD:_PAD + n]


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy")
def train_thread(tokens, begin, end, syn0, syn1, syn1neg, exp_table, keep, subsample, bounds, index,
                 codes, points, code_lengths, cbow, hs, negative, window, iterations, train_words,
                 word_limit, starting_alpha, seed, thread_id, progress, alphas, stop, cursors, batch,
                 hot_nodes, merge_every):
    """Train on ``tokens[begin:end]`` for ``iterations`` epochs, as one reference thread.

    Sentences end at ``</s>`` (id 0, counted but not stored) or after 1000 words;
    a word is kept by subsampling when ``keep[word]`` is at least the next uniform
    draw. Every 10,000 words the thread adds its words to ``progress[thread_id]``,
    sets the learning rate from the total of ``progress`` (published in
    ``alphas[thread_id]``), publishes its position in ``tokens`` in
    ``cursors[thread_id]`` (the driver releases the pages behind it) and returns
    early when ``stop[0]`` is set. An epoch also
    ends after ``word_limit`` words (the reference's ``train_words / threads``).
    ``batch`` selects :func:`train_skipgram_batch_position` for skip-gram.

    With ``hot_nodes`` > 0, the Huffman nodes ``V - 1 - hot_nodes .. V - 2`` (those
    nearest the root, on nearly every path) are trained in this thread's private
    rows of ``syn1`` (``hot_nodes`` rows from ``V + thread_id * (hot_nodes + 1)``;
    ``syn1`` must have room for them) and merged back after every ``merge_every``
    centre words and at the end (:func:`merge_hot_rows`). Threads writing the same
    rows at once make the cores pass those cache lines back and forth; with private
    copies hierarchical softmax scales with threads. ``hot_nodes`` 0 is the
    reference's behaviour.
    Returns the number of words this thread processed.
    """
    size = syn0.shape[1]
    # scratch written at every step: padded, so that no cache line is shared with
    # another thread's scratch (that would make the cores pass it back and forth)
    neu1 = thread_private(size, np.float32).reshape((1, size))
    neu1e = thread_private(size, np.float32)
    sentence = thread_private(MAX_SENTENCE_LENGTH + 1, np.int64)
    contexts = thread_private(2 * window, np.int64)
    targets = thread_private(2 * window * (negative + 1), np.int64).reshape((2 * window, negative + 1))
    n_targets = thread_private(2 * window, np.int64)
    grads = thread_private(2 * window * (negative + 1), np.float32).reshape((2 * window, negative + 1))
    grad_in = thread_private(2 * window * size, np.float32).reshape((2 * window, size))
    n_words = syn0.shape[0]
    first_hot = n_words - 1 - hot_nodes
    start_hot = n_words + thread_id * (hot_nodes + 1)  # a spare row between threads' copies
    hot = thread_private(2, np.int64)  # with no hot nodes first_hot is V - 1: above every node
    hot[0] = first_hot
    hot[1] = start_hot - first_hot
    base = thread_private(hot_nodes * size, np.float32).reshape((hot_nodes, size))
    for h in range(hot_nodes):
        for c in range(size):
            base[h, c] = syn1[first_hot + h, c]
            syn1[start_hot + h, c] = base[h, c]
    since_merge = 0
    r = np.uint64(seed) + np.uint64(thread_id)
    window_u = np.uint64(window)
    total = iterations * train_words + 1
    alpha = starting_alpha
    word_count = 0
    last_word_count = 0
    processed = 0
    length = 0
    position = np.int64(0)  # not a literal 0: numba would compile the step functions twice
    epochs_left = iterations
    cursor = begin
    while True:
        if word_count - last_word_count > UPDATE_EVERY:
            progress[thread_id] += word_count - last_word_count
            processed += word_count - last_word_count
            last_word_count = word_count
            alpha = learning_rate(starting_alpha, progress.sum(), total)
            alphas[thread_id] = alpha
            cursors[thread_id] = cursor
            if stop[0] != 0:
                merge_hot_rows(syn1, base, first_hot, start_hot)
                return processed
        end_of_range = False
        if length == 0:
            while True:
                if cursor >= end:
                    end_of_range = True
                    break
                word = tokens[cursor]
                cursor += 1
                word_count += 1
                if word == 0:
                    break
                if subsample:
                    r = next_random(r)
                    if keep[word] < np.float32(r & np.uint64(0xFFFF)) / np.float32(65536):
                        continue
                sentence[length] = word
                length += 1
                if length >= MAX_SENTENCE_LENGTH:
                    break
            position = np.int64(0)
        if (end_of_range and length == 0) or word_count > word_limit:
            progress[thread_id] += word_count - last_word_count
            processed += word_count - last_word_count
            epochs_left -= 1
            if epochs_left == 0:
                break
            word_count = 0
            last_word_count = 0
            length = 0
            cursor = begin
            continue
        r = next_random(r)
        shrink = np.int64(r % window_u)
        if cbow:
            r = train_cbow_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg, codes,
                                    points, code_lengths, hs, negative, bounds, index, r, neu1, neu1e,
                                    contexts, targets[0], alpha, exp_table, hot)
        elif batch:
            r = train_skipgram_batch_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg,
                                              codes, points, code_lengths, hs, negative, bounds, index, r,
                                              contexts, targets[0], grads, grad_in, alpha, exp_table, hot)
        else:
            r = train_skipgram_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg,
                                        codes, points, code_lengths, hs, negative, bounds, index, r,
                                        neu1e, contexts, targets, n_targets, alpha, exp_table, hot)
        position += 1
        if position >= length:
            length = 0
        if hot_nodes > 0:
            since_merge += 1
            if since_merge >= merge_every:
                merge_hot_rows(syn1, base, first_hot, start_hot)
                since_merge = 0
    merge_hot_rows(syn1, base, first_hot, start_hot)
    return processed


