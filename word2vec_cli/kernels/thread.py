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

The loop is compiled once per mode (:func:`thread_kernel`): the architecture, and
for CBOW and skip-gram the output layers and the regularisation, are constants of
the kernel, so that a first run (empty numba cache) compiles only the code its mode
runs; :func:`train_thread` picks the kernel and calls it.
"""

import types

import numpy as np
from numba import njit

from ..model.weights import learning_rate, linear_rate, next_random
from .cbow import cbow_step, train_cbow_position
from .cwindow import train_cwindow_position
from .skipgram import skipgram_step, train_skipgram_batch_position, train_skipgram_position
from .structured import train_structured_position
from .steps import step_suffix, try_merge_hot_rows

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


#: Fields of a thread's resumable state (a row of ``uint64``, see :func:`train_thread`):
#: the generator, the next token to read, the words read in this epoch, and the words
#: of this epoch already added to ``progress``.
STATE_RANDOM, STATE_CURSOR, STATE_WORDS, STATE_PUBLISHED = range(4)
STATE_FIELDS = 4

#: What :func:`train_thread` returns.
EPOCH_DONE, STOPPED = 0, 1

#: The position steps a kernel trains with (:func:`mode_of`); 2 and 3 are ``-type``'s.
SKIPGRAM, CBOW, CWINDOW, STRUCTURED, SKIPGRAM_BATCH = range(5)
MODES = (SKIPGRAM, CBOW, CWINDOW, STRUCTURED, SKIPGRAM_BATCH)
MODE_NAMES = ("skipgram", "cbow", "cwindow", "structured", "skipgram_batch")


def initial_thread_state(seed, thread_id, begin):
    """Return the state row of a thread that has not started: the reference seeds
    thread ``k``'s generator with ``k`` (ours: ``seed + k``) and it starts at ``begin``."""
    state = np.zeros(STATE_FIELDS, dtype=np.uint64)
    state[STATE_RANDOM] = (int(seed) + thread_id) % (1 << 64)  # wraps as the reference's unsigned long long
    state[STATE_CURSOR] = begin
    return state


def _thread_kernel(MODE, steps):
    """Return a new kernel of :func:`train_thread` that trains only ``MODE`` (one of
    :data:`MODES`; a closure variable, so numba drops the other position steps'
    branches before typing them), calling the position steps ``steps`` names (the
    module's by default)."""

    def train_thread(tokens, begin, end, syn0, syn1, syn1neg, exp_table, loss_table, keep, subsample, bounds,
                     index, codes, points, code_lengths, cbow, hs, negative, window, iterations, train_words,
                     word_limit, starting_alpha, thread_id, progress, alphas, losses, track_loss, stop, cursors,
                     batch, hot_nodes, merge_every, merge_lock, min_alpha, rate_share, max_sentence, state, arch,
                     l2_in, l2_out, cap):
        """One thread's epoch, trained in ``MODE`` (see :func:`train_thread`)."""
        size = syn0.shape[1]
        width = syn1neg.shape[1]  # the projection's width: 2 window size for cwindow
        # scratch written at every step: padded, so that no cache line is shared with
        # another thread's scratch (that would make the cores pass it back and forth)
        neu1 = thread_private(width, np.float32).reshape((1, width))
        neu1e = thread_private(width, np.float32)
        sentence = thread_private(max_sentence + 1, np.int64)
        span = min(window, max_sentence)  # no context word lies beyond the sentence (scratch for 2 span)
        contexts = thread_private(2 * span, np.int64)
        targets = thread_private(2 * span * (negative + 1), np.int64).reshape((2 * span, negative + 1))
        n_targets = thread_private(2 * span, np.int64)
        slots = thread_private(2 * span, np.int64)
        grads = thread_private(2 * span * (negative + 1), np.float32).reshape((2 * span, negative + 1))
        grad_in = thread_private(2 * span * size, np.float32).reshape((2 * span, size))
        # the steps add each output's loss to loss[0]; an empty array switches that off;
        # loss[1] counts the centre words trained
        loss = thread_private(2 if track_loss else 0, np.float64)
        n_words = syn0.shape[0]
        first_hot = n_words - 1 - hot_nodes
        start_hot = n_words + thread_id * (hot_nodes + 1)  # a spare row between threads' copies
        hot = thread_private(2, np.int64)  # with no hot nodes first_hot is V - 1: above every node
        hot[0] = first_hot
        hot[1] = start_hot - first_hot
        base = thread_private(hot_nodes * width, np.float32).reshape((hot_nodes, width))
        for h in range(hot_nodes):
            for c in range(width):
                base[h, c] = syn1[first_hot + h, c]
                syn1[start_hot + h, c] = base[h, c]
        since_merge = 0
        r = state[STATE_RANDOM]
        cursor = np.int64(state[STATE_CURSOR])
        word_count = np.int64(state[STATE_WORDS])
        last_word_count = np.int64(state[STATE_PUBLISHED])
        window_u = np.uint64(window)
        total = iterations * train_words + 1
        alpha = alphas[thread_id]
        length = 0
        position = np.int64(0)  # not a literal 0: numba would compile the step functions twice
        outcome = EPOCH_DONE
        while True:
            if word_count - last_word_count > UPDATE_EVERY:
                progress[thread_id] += word_count - last_word_count
                last_word_count = word_count
                done = progress.sum()
                if rate_share > 1:
                    in_epoch = done % train_words
                    done = done - in_epoch + in_epoch // rate_share
                if min_alpha > 0:
                    alpha = linear_rate(starting_alpha, min_alpha, done, total)
                else:
                    alpha = learning_rate(starting_alpha, done, total)
                alphas[thread_id] = alpha
                cursors[thread_id] = cursor
                if track_loss:
                    losses[thread_id, 0] += loss[0]
                    losses[thread_id, 1] += loss[1]
                    loss[0] = 0.0
                    loss[1] = 0.0
            end_of_range = False
            if length == 0:
                if stop[0] != 0:  # between sentences: the state says exactly where to go on
                    outcome = STOPPED
                    break
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
                    if length >= max_sentence:
                        break
                position = np.int64(0)
            if (end_of_range and length == 0) or word_count > word_limit:
                progress[thread_id] += word_count - last_word_count
                word_count = 0
                last_word_count = 0
                cursor = begin
                break
            r = next_random(r)
            shrink = np.int64(r % window_u)
            # the order-sensitive types draw the shrink too but use the full window (wang2vec)
            if MODE == CWINDOW:
                r = train_cwindow_position(sentence, length, position, window, syn0, syn1, syn1neg, codes, points,
                                           code_lengths, hs, negative, bounds, index, r, neu1, neu1e, contexts,
                                           slots, targets[0], alpha, exp_table, loss_table, loss, hot, l2_in,
                                           l2_out, cap)
            elif MODE == STRUCTURED:
                r = train_structured_position(sentence, length, position, window, syn0, syn1, syn1neg, codes,
                                              points, code_lengths, hs, negative, bounds, index, r, neu1e,
                                              contexts, slots, targets, n_targets, alpha, exp_table, loss_table,
                                              loss, hot, l2_in, l2_out, cap)
            elif MODE == CBOW:
                r = train_cbow_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg, codes,
                                        points, code_lengths, hs, negative, bounds, index, r, neu1, neu1e,
                                        contexts, targets[0], alpha, exp_table, loss_table, loss, hot, l2_in,
                                        l2_out, cap)
            elif MODE == SKIPGRAM_BATCH:
                r = train_skipgram_batch_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg,
                                                  codes, points, code_lengths, hs, negative, bounds, index, r,
                                                  contexts, targets[0], grads, grad_in, alpha, exp_table,
                                                  loss_table, loss, hot, l2_in, l2_out, cap)
            else:
                r = train_skipgram_position(sentence, length, position, shrink, window, syn0, syn1, syn1neg,
                                            codes, points, code_lengths, hs, negative, bounds, index, r,
                                            neu1e, contexts, targets, n_targets, alpha, exp_table, loss_table,
                                            loss, hot, l2_in, l2_out, cap)
            if track_loss:
                loss[1] += 1
            position += 1
            if position >= length:
                length = 0
            if hot_nodes > 0:
                since_merge += 1
                if since_merge >= merge_every and try_merge_hot_rows(syn1, base, first_hot, start_hot,
                                                                     merge_lock, False):
                    since_merge = 0
        if hot_nodes > 0:
            try_merge_hot_rows(syn1, base, first_hot, start_hot, merge_lock, True)
        if track_loss:
            losses[thread_id, 0] += loss[0]
            losses[thread_id, 1] += loss[1]
        cursors[thread_id] = cursor
        state[STATE_RANDOM] = r
        state[STATE_CURSOR] = cursor
        state[STATE_WORDS] = word_count
        state[STATE_PUBLISHED] = last_word_count
        return outcome

    suffix = ""
    if steps:  # the same code, reading the specialised steps where it reads the module's
        suffix = step_suffix(*steps["flags"])
        train_thread = types.FunctionType(train_thread.__code__, {**globals(), **steps["names"]},
                                          train_thread.__name__, train_thread.__defaults__, train_thread.__closure__)
    # its own name, so its own cache files: two first runs of different modes at once
    # would otherwise both rewrite one index file, and one entry would be lost
    train_thread.__qualname__ = f"train_thread_{MODE_NAMES[MODE]}{suffix}"
    return njit(cache=True, nogil=True, fastmath=True, error_model="numpy")(train_thread)


_KERNELS = {}


def is_cached(kernel, signature):
    """Return whether numba's on-disk cache holds ``kernel`` (a dispatcher) compiled
    for ``signature`` (a tuple of numba types), without loading it: its index file
    must exist, be of this numba version and source, and list the signature. True
    when numba's cache cannot be inspected (so that no false warning is shown)."""
    try:
        cache = kernel._cache
        index = cache._cache_file._load_index()  # {} when absent, stale or of another numba
        key = cache._index_key(signature, kernel.targetctx.codegen())
    except Exception:  # numba's private cache API changed, or caching is off
        return True
    return key in index


def mode_of(arch, cbow, batch):
    """Return the position step a run trains with (one of :data:`MODES`): ``arch`` is
    ``-type`` (0 and 1 follow ``cbow``; 2 cwindow, 3 structured skip-gram), ``batch``
    selects batched skip-gram."""
    if arch in (CWINDOW, STRUCTURED):
        return int(arch)
    if cbow:
        return CBOW
    return SKIPGRAM_BATCH if batch else SKIPGRAM


def thread_kernel(arch, cbow, batch, hs=True, negative=1, plain=False):
    """Return the numba dispatcher of :func:`train_thread` for this mode (see
    :func:`mode_of`), made once per process. For CBOW and skip-gram, the position
    step leaves out hierarchical softmax when ``hs`` is false, negative sampling when
    ``negative`` is 0, and the penalty and clamp when ``plain`` (``-l2`` and ``-cap``
    0); the defaults keep all three, decided at run time.

    One kernel per mode: a kernel that dispatched on the mode at run time made numba
    type, optimise and generate machine code for every architecture's position step
    (and each step for both output layers) on the first (cold-cache) run, several
    times the work of the mode used. Each is cached on disk under its own name."""
    mode = mode_of(arch, cbow, batch)
    flags = (bool(hs), negative > 0, bool(plain))
    key = (mode, flags) if mode in (CBOW, SKIPGRAM) else (mode, None)
    kernel = _KERNELS.get(key)
    if kernel is None:
        steps = None
        if mode == CBOW:
            steps = {"flags": flags, "names": {"train_cbow_position": cbow_step(*flags)}}
        elif mode == SKIPGRAM:
            steps = {"flags": flags, "names": {"train_skipgram_position": skipgram_step(*flags)}}
        kernel = _KERNELS[key] = _thread_kernel(mode, steps)
    return kernel


def train_thread(tokens, begin, end, syn0, syn1, syn1neg, exp_table, loss_table, keep, subsample, bounds,
                 index, codes, points, code_lengths, cbow, hs, negative, window, iterations, train_words,
                 word_limit, starting_alpha, thread_id, progress, alphas, losses, track_loss, stop, cursors,
                 batch, hot_nodes, merge_every, merge_lock, min_alpha, rate_share, max_sentence, state, arch,
                 l2_in, l2_out, cap):
    """Train on ``tokens[begin:end]`` until this thread's epoch ends, as one reference
    thread; return :data:`EPOCH_DONE`, or :data:`STOPPED` when ``stop[0]`` was set.

    The thread resumes from ``state`` (see :data:`STATE_FIELDS`; made by
    :func:`initial_thread_state`) and leaves it there: after an epoch the cursor is
    back at ``begin`` and the epoch's counts are zero; after a stop, which is honoured
    between sentences, it holds everything needed to go on with exactly the same
    arithmetic (the generator, the position, the counts not yet published). So a run
    cut into calls, at epoch ends or at stops, trains exactly as one uninterrupted
    run (the reference's single loop over ``iter`` epochs).

    Sentences end at ``</s>`` (id 0, counted but not stored) or after 1000 words;
    a word is kept by subsampling when ``keep[word]`` is at least the next uniform
    draw. Every 10,000 words the thread adds its words to ``progress[thread_id]``,
    sets the learning rate from the total of ``progress`` over ``iterations *
    train_words`` (published in ``alphas[thread_id]``, where it also starts from),
    adds its training loss to ``losses[thread_id]`` (float64, when ``track_loss``; see
    :func:`~word2vec_cli.kernels.steps.output_loss`) and publishes its position in
    ``cursors[thread_id]`` (the driver releases the pages behind it). An epoch also
    ends after ``word_limit`` words (the reference's ``train_words / threads``).
    ``batch`` selects :func:`train_skipgram_batch_position` for skip-gram.

    With ``hot_nodes`` > 0, the Huffman nodes ``V - 1 - hot_nodes .. V - 2`` (those
    nearest the root, on nearly every path) are trained in this thread's private
    rows of ``syn1`` (``hot_nodes`` rows from ``V + thread_id * (hot_nodes + 1)``;
    ``syn1`` must have room for them) and merged back after every ``merge_every``
    centre words and before returning, one thread at a time (``merge_lock[0]``, see
    :func:`~.steps.try_merge_hot_rows`; a thread that finds it taken goes on and
    tries again after its next centre word). Threads writing the
    same rows at once make the cores pass those cache lines back and forth; with
    private copies hierarchical softmax scales with threads. ``hot_nodes`` 0 is the
    reference's behaviour.

    ``arch`` is ``-type``: 0 and 1 follow ``cbow``, 2 trains cwindow
    (:mod:`.cwindow`; ``syn1`` and ``syn1neg`` are ``2 window`` times as wide) and 3
    structured skip-gram (:mod:`.structured`; they hold ``2 window`` blocks of rows;
    ``hot_nodes`` must be 0). ``l2_in``, ``l2_out`` and ``cap`` (float32) are the
    penalty and clamp of :mod:`.regularise`; all 0 is the reference's training.

    ``min_alpha`` > 0 selects gensim's learning-rate schedule (linear down to
    ``min_alpha``, :func:`linear_rate`) instead of the reference's; with
    ``rate_share`` > 1 the schedule counts the current epoch's words divided by
    ``rate_share`` (gensim's ``corpus_file`` training: each of its workers decays the
    rate by its own share only, so that within an epoch the rate falls by
    ``1 / (threads * iter)`` of its range instead of ``1 / iter``); ``max_sentence``
    is the longest sentence (the reference's 1000). All three are ``-quality`` options.

    With ``track_loss``, ``losses[thread_id]`` holds ``(loss, words)``: the loss and
    the number of centre words trained.
    """
    kernel = thread_kernel(arch, cbow, batch, hs, negative, l2_in == 0 and l2_out == 0 and cap == 0)
    return kernel(tokens, begin, end, syn0, syn1, syn1neg, exp_table, loss_table, keep, subsample, bounds,
                  index, codes, points, code_lengths, cbow, hs, negative, window, iterations, train_words,
                  word_limit, starting_alpha, thread_id, progress, alphas, losses, track_loss, stop, cursors,
                  batch, hot_nodes, merge_every, merge_lock, min_alpha, rate_share, max_sentence, state, arch,
                  l2_in, l2_out, cap)
