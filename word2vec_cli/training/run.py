"""Running the training threads, epoch by epoch.

A :class:`TrainingRun` prepares what the kernels read (Huffman codes, sampling tables,
the thread shares of the token file) and trains a :class:`~.state.TrainingState` one
epoch at a time: one Python thread per ``-threads`` runs the GIL-free kernel on its
share, the main thread watches them (progress, page release, Ctrl-C) and calls the
caller's hooks. As the reference's threads, each goes on with its next epoch as soon
as it finishes one, unless the caller asks them to meet at every epoch's end (for an
evaluation or a checkpoint on consistent matrices).
"""

import dataclasses
import sys
import threading
import time

import numpy as np

from ..errors import Word2VecError
from .shares import TokenRelease, hot_nodes_per_thread, thread_shares
from .state import TrainingState

#: gensim's final learning rate and longest sentence (``-quality`` floor, sentence).
GENSIM_MIN_ALPHA = 1e-4
GENSIM_MAX_SENTENCE = 10000


#: Said on stderr before the training kernel of a mode is compiled (numba's cache is cold).
COMPILING_MESSAGE = ("Compiling the training kernels for this mode (first run only, about 10 s; "
                     "later runs load them from numba's cache)")

#: How often the main thread looks at the workers (seconds).
WATCH_INTERVAL = 0.25


@dataclasses.dataclass(frozen=True)
class ThreadEpoch:
    """One thread's figures over one of its epochs (see :meth:`TrainingRun.epoch_figures`)."""

    words: int
    timed_words: int
    loss: float
    loss_words: int
    seconds: float
    alpha: float
    end: float


class TrainingInterrupted(Word2VecError):
    """Raised when Ctrl-C (or SIGTERM) stopped training; the state is consistent."""

    exit_code = 130


class TrainingRun:
    """The fixed inputs of one training job and the threads that train its state.

    Parameters
    ----------
    opts : TrainOptions
        Resolved options (:meth:`TrainOptions.resolved`).
    vocabulary : Vocabulary
        Words and counts, ``</s>`` first.
    tokens : TokenFile
        The encoded corpus.
    state : TrainingState, optional
        A state to continue; by default a new one (the reference's initialisation).
    track_loss : bool
        Accumulate the training loss per thread (``state.losses``).
    epoch_words : int, optional
        Words in one epoch of the schedule; by default the vocabulary's
        ``train_words`` (they differ when a model trains on new text, whose counts
        were merged into the vocabulary's).
    tree : (codes, points, lengths), optional
        Hierarchical-softmax paths to use instead of the Huffman codes of the counts
        (a model whose vocabulary grew by grafting, :mod:`.incremental`).
    shares : list of (begin, end), optional
        The threads' token ranges (a resumed run keeps those of its checkpoint).
    """

    def __init__(self, opts, vocabulary, tokens, state=None, track_loss=False, epoch_words=None, tree=None,
                 shares=None):
        from ..kernels import thread as kernels
        from ..kernels.context import MAX_SENTENCE_LENGTH
        from ..model import sampling
        from ..model.huffman import HuffmanCodes
        from ..model.weights import loss_table, sigmoid_table

        self.opts = opts
        self.kernels = kernels
        self.vocabulary = vocabulary
        counts = vocabulary.counts
        changes = opts.quality_changes()
        self.train_words = vocabulary.train_words if epoch_words is None else int(epoch_words)
        n_words = len(vocabulary)
        #: True when the paths are not the Huffman codes of the counts (saved with the model).
        self.tree_given = tree is not None
        if opts.hs and tree is not None:
            self.codes, self.points, self.code_lengths = (np.ascontiguousarray(a) for a in tree)
        elif opts.hs:
            huffman = HuffmanCodes(counts)
            self.codes, self.points, self.code_lengths = huffman.codes, huffman.points, huffman.lengths
        else:
            self.codes = np.zeros((1, 1), dtype=np.uint8)
            self.points = np.zeros((1, 1), dtype=np.int32)
            self.code_lengths = np.zeros(1, dtype=np.int32)
        table_counts = counts
        if "nos" in changes:  # </s> keeps 2 of the 10^8 entries (see unigram_bounds)
            table_counts = counts.copy()
            table_counts[0] = 0
        self.bounds = (sampling.unigram_bounds(table_counts) if opts.negative
                       else np.array([0, sampling.TABLE_SIZE], np.int64))
        self.index = sampling.draw_index(self.bounds)
        # gensim has no </s>: its threshold counts the words only
        sampled_words = (vocabulary.train_words - int(counts[0]) if "sample" in changes
                         else vocabulary.train_words)
        self.keep = sampling.keep_probabilities(counts, opts.sample, max(sampled_words, 1))
        #: gensim's rules where ``-quality`` asks for them (:data:`QUALITY_CHANGES`)
        self.min_alpha = np.float32(GENSIM_MIN_ALPHA if "floor" in changes else 0)
        self.rate_share = opts.threads if "share" in changes else 1
        self.max_sentence = GENSIM_MAX_SENTENCE if "sentence" in changes else MAX_SENTENCE_LENGTH
        self.exp_table = sigmoid_table(skip_beyond="clip" in changes)
        self.loss_table = loss_table()
        self.token_array = np.asarray(tokens.array())
        # an epoch of a thread ends where the reference's does: after train_words / threads
        # words, or at the end of the text (see thread_shares)
        self.word_limit = self.train_words // opts.threads
        self.hot_nodes = hot_nodes_per_thread(opts, n_words)
        self.shares = (thread_shares(len(self.token_array), opts.threads, getattr(tokens, "thread_starts", None))
                       if shares is None else [(int(b), int(e)) for b, e in shares])
        self.state = state if state is not None else self.new_state()
        #: Accumulate the training loss in ``state.losses`` (costs 4-13% of the time).
        self.track_loss = track_loss
        self.stop = np.zeros(1, dtype=np.int64)
        #: held by the thread merging its private hot rows (alone on its cache line)
        self.merge_lock = np.zeros(16, dtype=np.int64)[8:9]
        self.cursors = np.array([int(row[kernels.STATE_CURSOR]) for row in self.state.threads], dtype=np.int64)
        self.release = TokenRelease(tokens, self.shares, self.cursors)
        #: The kernel of this run's mode (:func:`~word2vec_cli.kernels.thread.train_thread`).
        self.kernel = kernels.thread_kernel(opts.type, bool(opts.cbow), bool(opts.batch), bool(opts.hs),
                                            opts.negative, opts.l2 == 0 and opts.cap == 0)
        #: Per thread, ``{epoch: ThreadEpoch}`` for the epochs it finished in this run.
        self.thread_epoch_ends = [{} for _ in range(opts.threads)]
        self._thread_seconds = [0.0] * opts.threads  # time spent inside the kernel calls
        self._thread_marks = None  # each thread's counters where its current epoch began

    @property
    def total_words(self):
        """int: words the whole schedule processes (``iter`` epochs of the corpus)."""
        return self.opts.iter * self.train_words

    def new_state(self):
        """Return a fresh :class:`TrainingState` initialised as the reference does."""
        from ..model.weights import initial_input_vectors

        opts, n_words = self.opts, len(self.vocabulary)
        private_rows = opts.threads * (self.hot_nodes + 1) if self.hot_nodes else 0  # see train_thread
        threads = np.stack([self.kernels.initial_thread_state(opts.seed, k, begin)
                            for k, (begin, _) in enumerate(self.shares)])
        hs_rows = n_words + private_rows if opts.hs else 1
        ns_rows = n_words if opts.negative else 1
        # cwindow: output rows as wide as the concatenated window; structured
        # skip-gram: one block of rows per relative position (kernels/structured.py)
        width = 2 * opts.window * opts.size if opts.type == 2 else opts.size
        blocks = 2 * opts.window if opts.type == 3 else 1
        return TrainingState(
            syn0=initial_input_vectors(opts, n_words),
            syn1=np.zeros((blocks * hs_rows, width), dtype=np.float32),
            syn1neg=np.zeros((blocks * ns_rows, width), dtype=np.float32),
            threads=threads,
            progress=np.zeros(opts.threads, dtype=np.int64),
            alphas=np.full(opts.threads, opts.alpha, dtype=np.float32),
            losses=np.zeros((opts.threads, 2), dtype=np.float64))

    def arguments(self, thread_id):
        """Return the argument tuple of the kernel call for ``thread_id``."""
        opts, state = self.opts, self.state
        begin, end = self.shares[thread_id]
        return (self.token_array, begin, end, state.syn0, state.syn1, state.syn1neg, self.exp_table,
                self.loss_table, self.keep, opts.sample > 0, self.bounds, self.index, self.codes, self.points,
                self.code_lengths, bool(opts.cbow), bool(opts.hs), opts.negative, opts.window, opts.iter,
                self.train_words, self.word_limit, np.float32(opts.alpha), thread_id, state.progress,
                state.alphas, state.losses, self.track_loss, self.stop, self.cursors, bool(opts.batch), self.hot_nodes,
                self.kernels.HOT_MERGE_EVERY, self.merge_lock, self.min_alpha, self.rate_share,
                self.max_sentence, state.threads[thread_id], opts.type,
                np.float32(opts.l2 if opts.l2_rows != "output" else 0),
                np.float32(opts.l2 if opts.l2_rows != "input" else 0), np.float32(opts.cap))

    def link(self):
        """Load (or compile) the kernel for these argument types without running it,
        so that the threads start on linked code. Returns nothing."""
        from numba import typeof

        signature = tuple(typeof(arg) for arg in self.arguments(0))
        if self.opts.debug >= 1 and not self.kernels.is_cached(self.kernel, signature):
            # else a first run sits silent while numba compiles
            print(COMPILING_MESSAGE, file=sys.stderr, flush=True)
        self.kernel.compile(signature)

    def train(self, on_tick=None, on_epoch=None, meet=False):
        """Train the remaining epochs of the schedule.

        Each thread trains its share epoch after epoch without waiting for the
        others, as the reference's threads do (the learning rate follows the words of
        all of them); ``on_epoch(run)`` is called once every thread has finished an
        epoch, while some may already train the next one. With ``meet`` the threads
        wait for each other at every epoch's end and ``on_epoch`` sees consistent
        matrices (an evaluation, a checkpoint). ``on_tick(run)`` is called about
        every :data:`WATCH_INTERVAL` seconds while threads run. Raises
        :class:`TrainingInterrupted` on Ctrl-C or when the stop flag was set (the
        state is consistent and can be saved) and :class:`Word2VecError` when a
        thread fails (the other threads are stopped first). Returns nothing.
        """
        while self.state.epoch < self.opts.iter:
            self.run_threads(self.state.epoch + 1 if meet else self.opts.iter, on_tick, on_epoch)
            if self.stop[0]:
                raise TrainingInterrupted("training was stopped")

    def settle(self):
        """After Ctrl-C, count the epochs that every thread finished before the
        signal was noticed, so that the state saved is exact. Returns nothing."""
        self.state.epoch = int(self.state.thread_epochs.min())

    def run_epoch(self, on_tick=None):
        """Run every thread to the end of its share of the current epoch (one epoch,
        the threads meeting at its end); return True when all finished it, False
        when the stop flag ended some earlier."""
        epoch = self.state.epoch
        self.run_threads(epoch + 1, on_tick)
        return self.state.epoch > epoch

    def _count_epochs(self, on_epoch):
        """Advance ``state.epoch`` to the epochs every thread has finished, calling
        ``on_epoch`` for each."""
        while self.state.epoch < int(self.state.thread_epochs.min()):
            self.state.epoch += 1
            if on_epoch is not None:
                on_epoch(self)

    def _thread_mark(self, thread_id, epoch_words=0):
        """Return ``thread_id``'s counters now: ``(words at its epoch's start, words
        now, loss, loss words, kernel seconds)``; ``epoch_words`` of its current
        epoch were published before now (a resumed run's)."""
        state = self.state
        words = int(state.progress[thread_id])
        return (words - epoch_words, words, float(state.losses[thread_id, 0]), int(state.losses[thread_id, 1]),
                self._thread_seconds[thread_id])

    def _end_thread_epoch(self, thread_id, epoch):
        """Record ``thread_id``'s figures of ``epoch``, which it has just finished
        (called from its worker, at the kernel's return)."""
        begun, counted, loss, loss_words, seconds = self._thread_marks[thread_id]
        now = self._thread_mark(thread_id)
        self.thread_epoch_ends[thread_id][epoch] = ThreadEpoch(
            words=now[1] - begun, timed_words=now[1] - counted, loss=now[2] - loss, loss_words=now[3] - loss_words,
            seconds=now[4] - seconds, alpha=float(self.state.alphas[thread_id]), end=time.perf_counter())
        self._thread_marks[thread_id] = now

    def epoch_figures(self, epoch):
        """Return the figures of ``epoch`` (counting from 1), each thread's taken at
        its own end of that epoch and summed over the threads that finished it in
        this run: a dict with ``words`` (words read, as the learning-rate schedule
        counts them), ``loss`` and ``loss_words`` (summed loss, centre words
        trained), ``seconds`` (the threads' time in the kernel, summed),
        ``words_per_second`` (all threads: words over the mean thread time; the
        words a resumed thread read before the resume are not timed), ``alpha``
        (the lowest at an epoch end) and ``end`` (``time.perf_counter()`` when the
        last thread finished it; None when none did in this run)."""
        ends = [done[epoch] for done in self.thread_epoch_ends if epoch in done]
        seconds = sum(e.seconds for e in ends)
        timed = sum(e.timed_words for e in ends)
        return {"words": sum(e.words for e in ends), "loss": sum(e.loss for e in ends),
                "loss_words": sum(e.loss_words for e in ends), "seconds": seconds,
                "words_per_second": len(ends) * timed / seconds if seconds > 0 else 0.0,
                "alpha": min((e.alpha for e in ends), default=float(self.state.alphas.min())),
                "end": max((e.end for e in ends), default=None)}

    def run_threads(self, until, on_tick=None, on_epoch=None):
        """Run every thread until it has finished epoch ``until`` (counting from 1)
        or the stop flag is set; call the hooks as :meth:`train` says. Returns nothing."""
        failures = []
        epochs = self.state.thread_epochs
        if self._thread_marks is None:
            published = self.state.threads[:, self.kernels.STATE_PUBLISHED]
            self._thread_marks = [self._thread_mark(k, int(published[k])) for k in range(self.opts.threads)]

        # each worker sets its event when it is done: Thread.join cannot be trusted after
        # Ctrl-C interrupted it (CPython 3.11 may then mark a running thread as stopped)
        finished = [threading.Event() for _ in range(self.opts.threads)]

        def work(thread_id):
            try:
                while epochs[thread_id] < until and not self.stop[0]:
                    began = time.perf_counter()
                    outcome = self.kernel(*self.arguments(thread_id))
                    self._thread_seconds[thread_id] += time.perf_counter() - began
                    if outcome != self.kernels.EPOCH_DONE:
                        break
                    # recorded at the kernel's return: the main thread's polls may
                    # come after several short epochs
                    self._end_thread_epoch(thread_id, int(epochs[thread_id]) + 1)
                    epochs[thread_id] += 1
            except BaseException as exc:  # surfaced in the main thread
                failures.append(exc)
                self.stop[0] = 1
            finally:
                finished[thread_id].set()

        workers = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(self.opts.threads)]
        try:
            for worker in workers:
                worker.start()
            while not all(event.is_set() for event in finished):
                pending = next(event for event in finished if not event.is_set())
                pending.wait(WATCH_INTERVAL)
                self.release()
                self._count_epochs(on_epoch)
                if on_tick is not None:
                    on_tick(self)
        except BaseException:  # Ctrl-C, SIGTERM, or a failing hook: stop the threads cleanly
            self.stop[0] = 1
            for worker, event in zip(workers, finished):
                # a thread whose start was cut short before it existed never sets its event
                if worker._started.wait(1.0):
                    event.wait()
            raise
        if failures:
            raise Word2VecError(f"a training thread failed: {failures[0]!r}") from failures[0]
        self._count_epochs(on_epoch)
