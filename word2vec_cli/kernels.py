"""Numba kernels: the reference's training loop, one thread's share per call.

Everything here follows the reference's arithmetic (see REFERENCE.md section 1): the
64-bit linear congruential generator, window shrinking, subsampling decisions, CBOW
context averaging, the 1000-entry sigmoid table indexed with the factor 83,
clamping, negative draws from the unigram table (here its run boundaries), and the
learning-rate schedule. Kernels release the GIL, so several Python threads run them
at once on shared matrices without locks (Hogwild), as the reference's pthreads do.

The learning rate and the initial vectors are computed in functions compiled without
fast-math, because fast-math may use approximate reciprocals and the reference's
float32 rounding must be reproduced exactly there.
"""

import numpy as np
from numba import njit

MAX_SENTENCE_LENGTH = 1000
MAX_EXP = 6
EXP_TABLE_SIZE = 1000
#: ``EXP_TABLE_SIZE / MAX_EXP / 2`` in the reference's integer arithmetic (not 83.33).
EXP_TABLE_FACTOR = 83
#: Threads publish their word counts and recompute the learning rate this often.
UPDATE_EVERY = 10000

_LCG_MULTIPLIER = np.uint64(25214903917)
_LCG_INCREMENT = np.uint64(11)
_F32_MAX_EXP = np.float32(MAX_EXP)
_F32_FACTOR = np.float32(EXP_TABLE_FACTOR)


def sigmoid_table():
    """Return the reference's float32 sigmoid table (1001 entries, the last unused).

    Entry ``i`` is ``sigmoid((i / 1000 * 2 - 1) * 6)`` computed as the reference does:
    the argument in float32, ``exp`` in float64, the ratio in float32.
    """
    i = np.arange(EXP_TABLE_SIZE, dtype=np.float32)
    x = (i / np.float32(EXP_TABLE_SIZE) * np.float32(2) - np.float32(1)) * np.float32(MAX_EXP)
    e = np.exp(x.astype(np.float64)).astype(np.float32)
    table = np.zeros(EXP_TABLE_SIZE + 1, dtype=np.float32)
    table[:EXP_TABLE_SIZE] = e / (e + np.float32(1))
    return table


@njit(cache=True, nogil=True)
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
def draw_negative(bounds, position):
    """Return the word at ``position`` of the unigram table given its run ``bounds``
    (the last ``i`` with ``bounds[i] <= position``)."""
    lo = 0
    hi = bounds.shape[0] - 1
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if bounds[mid] <= position:
            lo = mid
        else:
            hi = mid
    return lo


@njit(cache=True, nogil=True, fastmath=True)
def dot(matrix_a, row_a, matrix_b, row_b):
    """Return the float32 dot product of ``matrix_a[row_a]`` and ``matrix_b[row_b]``."""
    f = np.float32(0)
    for c in range(matrix_a.shape[1]):
        f += matrix_a[row_a, c] * matrix_b[row_b, c]
    return f


@njit(cache=True, nogil=True, fastmath=True)
def update_pair(inputs, row_in, outputs, row_out, neu1e, g):
    """Accumulate ``g * outputs[row_out]`` into ``neu1e`` and then move
    ``outputs[row_out]`` by ``g * inputs[row_in]`` (the reference's order)."""
    for c in range(neu1e.shape[0]):
        neu1e[c] += g * outputs[row_out, c]
    for c in range(neu1e.shape[0]):
        outputs[row_out, c] += g * inputs[row_in, c]


@njit(cache=True, nogil=True, fastmath=True)
def hierarchical_softmax(inputs, row_in, word, syn1, codes, points, code_lengths, neu1e, alpha, exp_table):
    """Train the Huffman path of ``word`` on the input ``inputs[row_in]``.

    Nodes whose score is outside (-6, 6) are skipped, as in the reference.
    """
    for d in range(code_lengths[word]):
        node = points[word, d]
        f = dot(inputs, row_in, syn1, node)
        if f <= -_F32_MAX_EXP or f >= _F32_MAX_EXP:
            continue
        f = exp_table[np.int64((f + _F32_MAX_EXP) * _F32_FACTOR)]
        g = (np.float32(1) - np.float32(codes[word, d]) - f) * alpha
        update_pair(inputs, row_in, syn1, node, neu1e, g)


@njit(cache=True, nogil=True, fastmath=True)
def negative_sampling(inputs, row_in, word, syn1neg, negative, bounds, table_size, r, neu1e, alpha,
                      exp_table):
    """Train ``word`` as the positive and ``negative`` drawn words as negatives.

    A draw of ``</s>`` is replaced by ``r % (V - 1) + 1``; a draw of ``word`` itself
    is skipped. Returns the advanced generator state.
    """
    n_words = np.uint64(syn1neg.shape[0])
    for d in range(negative + 1):
        if d == 0:
            target = word
            label = np.float32(1)
        else:
            r = next_random(r)
            target = draw_negative(bounds, np.int64((r >> np.uint64(16)) % table_size))
            if target == 0:
                target = np.int64(r % (n_words - np.uint64(1))) + 1
            if target == word:
                continue
            label = np.float32(0)
        f = dot(inputs, row_in, syn1neg, target)
        if f > _F32_MAX_EXP:
            g = (label - np.float32(1)) * alpha
        elif f < -_F32_MAX_EXP:
            g = label * alpha
        else:
            g = (label - exp_table[np.int64((f + _F32_MAX_EXP) * _F32_FACTOR)]) * alpha
        update_pair(inputs, row_in, syn1neg, target, neu1e, g)
    return r


@njit(cache=True, nogil=True, fastmath=True)
def train_cbow_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg, codes, points,
                        code_lengths, hs, negative, bounds, table_size, r, neu1, neu1e, alpha, exp_table):
    """One CBOW step: predict ``sentence[position]`` from the average of its context.

    The gradient is added, undivided, to every context row. Returns the generator.
    """
    word = sentence[position]
    size = neu1.shape[1]
    for c in range(size):
        neu1[0, c] = 0
        neu1e[c] = 0
    cw = 0
    for a in range(shrink, 2 * window + 1 - shrink):
        p = position - window + a
        if a == window or p < 0 or p >= length:
            continue
        last = sentence[p]
        for c in range(size):
            neu1[0, c] += syn0[last, c]
        cw += 1
    if cw == 0:
        return r
    inverse = np.float32(cw)
    for c in range(size):
        neu1[0, c] /= inverse
    if hs:
        hierarchical_softmax(neu1, 0, word, syn1, codes, points, code_lengths, neu1e, alpha, exp_table)
    if negative > 0:
        r = negative_sampling(neu1, 0, word, syn1neg, negative, bounds, table_size, r, neu1e, alpha,
                              exp_table)
    for a in range(shrink, 2 * window + 1 - shrink):
        p = position - window + a
        if a == window or p < 0 or p >= length:
            continue
        last = sentence[p]
        for c in range(size):
            syn0[last, c] += neu1e[c]
    return r


@njit(cache=True, nogil=True, fastmath=True)
def train_skipgram_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg, codes,
                            points, code_lengths, hs, negative, bounds, table_size, r, neu1e, alpha,
                            exp_table):
    """One skip-gram step: each context word's row predicts ``sentence[position]``
    and gets its gradient right after. Returns the generator."""
    word = sentence[position]
    size = neu1e.shape[0]
    for a in range(shrink, 2 * window + 1 - shrink):
        p = position - window + a
        if a == window or p < 0 or p >= length:
            continue
        last = sentence[p]
        for c in range(size):
            neu1e[c] = 0
        if hs:
            hierarchical_softmax(syn0, last, word, syn1, codes, points, code_lengths, neu1e, alpha, exp_table)
        if negative > 0:
            r = negative_sampling(syn0, last, word, syn1neg, negative, bounds, table_size, r, neu1e, alpha,
                                  exp_table)
        for c in range(size):
            syn0[last, c] += neu1e[c]
    return r


@njit(cache=True, nogil=True, fastmath=True)
def train_thread(tokens, begin, end, syn0, syn1, syn1neg, exp_table, keep, subsample, bounds, table_size,
                 codes, points, code_lengths, cbow, hs, negative, window, iterations, train_words,
                 word_limit, starting_alpha, seed, thread_id, progress, alphas, stop):
    """Train on ``tokens[begin:end]`` for ``iterations`` epochs, as one reference thread.

    Sentences end at ``</s>`` (id 0, counted but not stored) or after 1000 words;
    a word is kept by subsampling when ``keep[word]`` is at least the next uniform
    draw. Every 10,000 words the thread adds its words to ``progress[thread_id]``,
    sets the learning rate from the total of ``progress`` (published in
    ``alphas[thread_id]``) and returns early when ``stop[0]`` is set. An epoch also
    ends after ``word_limit`` words (the reference's ``train_words / threads``).
    Returns the number of words this thread processed.
    """
    size = syn0.shape[1]
    neu1 = np.zeros((1, size), dtype=np.float32)
    neu1e = np.zeros(size, dtype=np.float32)
    sentence = np.zeros(MAX_SENTENCE_LENGTH + 1, dtype=np.int64)
    r = np.uint64(seed) + np.uint64(thread_id)
    window_u = np.uint64(window)
    total = iterations * train_words + 1
    alpha = starting_alpha
    word_count = 0
    last_word_count = 0
    processed = 0
    length = 0
    position = 0
    epochs_left = iterations
    cursor = begin
    while True:
        if word_count - last_word_count > UPDATE_EVERY:
            progress[thread_id] += word_count - last_word_count
            processed += word_count - last_word_count
            last_word_count = word_count
            alpha = learning_rate(starting_alpha, progress.sum(), total)
            alphas[thread_id] = alpha
            if stop[0] != 0:
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
            position = 0
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
                                    points, code_lengths, hs, negative, bounds, table_size, r, neu1, neu1e,
                                    alpha, exp_table)
        else:
            r = train_skipgram_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg,
                                        codes, points, code_lengths, hs, negative, bounds, table_size, r,
                                        neu1e, alpha, exp_table)
        position += 1
        if position >= length:
            length = 0
    return processed
