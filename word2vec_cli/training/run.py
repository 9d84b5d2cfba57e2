"""Running the training threads, epoch by epoch.

A :class:`TrainingRun` prepares what the kernels read (Huffman codes, sampling tables,
the thread shares of the token file) and trains a :class:`~.state.TrainingState` one
epoch at a time: one Python thread per ``-threads`` runs the GIL-free kernel on its
share, the main thread watches them (progress, page release, Ctrl-C), and between
epochs the caller's ``on_epoch`` hook runs on consistent matrices (evaluation, a
checkpoint). Threads meet at every epoch's end; with work-balanced shares they arrive
together, so the wait is short.
"""

import threading

import numpy as np

from ..errors import Word2VecError
from .shares import TokenRelease, hot_nodes_per_thread, thread_shares
from .state import TrainingState

#: How often the main thread looks at the workers (seconds).
WATCH_INTERVAL = 0.25


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
        from ..model import sampling
        from ..model.huffman import HuffmanCodes
        from ..model.weights import loss_table, sigmoid_table

        self.opts = opts
        self.kernels = kernels
        self.vocabulary = vocabulary
        counts = vocabulary.counts
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
        self.bounds = (sampling.unigram_bounds(counts) if opts.negative
                       else np.array([0, sampling.TABLE_SIZE], np.int64))
        self.index = sampling.draw_index(self.bounds)
        self.keep = sampling.keep_probabilities(counts, opts.sample, vocabulary.train_words)
        self.exp_table = sigmoid_table()
        self.loss_table = loss_table()
        self.token_array = np.asarray(tokens.array())
        # with -read-vocab the counts may not match the text: stop an epoch where the
        # reference would (train_words / threads words); otherwise the share's end does
        self.word_limit = self.train_words // opts.threads if opts.read_vocab else np.iinfo(np.int64).max
        self.hot_nodes = hot_nodes_per_thread(opts, n_words)
        self.shares = (thread_shares(opts, tokens, self.token_array, self.keep, counts, self.code_lengths)
                       if shares is None else [(int(b), int(e)) for b, e in shares])
        self.state = state if state is not None else self.new_state()
        #: Accumulate the training loss in ``state.losses`` (costs 4-13% of the time).
        self.track_loss = track_loss
        self.stop = np.zeros(1, dtype=np.int64)
        self.cursors = np.array([int(row[kernels.STATE_CURSOR]) for row in self.state.threads], dtype=np.int64)
        self.release = TokenRelease(tokens, self.shares, self.cursors)

    @property
    def total_words(self):
        """int: words the whole schedule processes (``iter`` epochs of the corpus)."""
        return self.opts.iter * self.train_words

    def new_state(self):
        """Return a fresh :class:`TrainingState` initialised as the reference does."""
        from ..model.weights import initial_vectors

        opts, n_words = self.opts, len(self.vocabulary)
        private_rows = opts.threads * (self.hot_nodes + 1) if self.hot_nodes else 0  # see train_thread
        threads = np.stack([self.kernels.initial_thread_state(opts.seed, k, begin)
                            for k, (begin, _) in enumerate(self.shares)])
        return TrainingState(
            syn0=initial_vectors(n_words, opts.size, opts.seed + 1),
            syn1=np.zeros((n_words + private_rows if opts.hs else 1, opts.size), dtype=np.float32),
            syn1neg=np.zeros((n_words if opts.negative else 1, opts.size), dtype=np.float32),
            threads=threads,
            progress=np.zeros(opts.threads, dtype=np.int64),
            alphas=np.full(opts.threads, opts.alpha, dtype=np.float32),
            losses=np.zeros(opts.threads, dtype=np.float64))

    def arguments(self, thread_id):
        """Return the argument tuple of the kernel call for ``thread_id``."""
        opts, state = self.opts, self.state
        begin, end = self.shares[thread_id]
        return (self.token_array, begin, end, state.syn0, state.syn1, state.syn1neg, self.exp_table,
                self.loss_table, self.keep, opts.sample > 0, self.bounds, self.index, self.codes, self.points,
                self.code_lengths, bool(opts.cbow), bool(opts.hs), opts.negative, opts.window, opts.iter,
                self.train_words, self.word_limit, np.float32(opts.alpha), thread_id, state.progress,
                state.alphas, state.losses, self.track_loss, self.stop, self.cursors, bool(opts.batch), self.hot_nodes,
                self.kernels.HOT_MERGE_EVERY, state.threads[thread_id])

    def link(self):
        """Load (or compile) the kernel for these argument types without running it,
        so that the threads start on linked code. Returns nothing."""
        from numba import typeof

        self.kernels.train_thread.compile(tuple(typeof(arg) for arg in self.arguments(0)))

    def train(self, on_tick=None, on_epoch=None):
        """Train the remaining epochs of the schedule.

        ``on_tick(run)`` is called about every :data:`WATCH_INTERVAL` seconds while
        threads run; ``on_epoch(run)`` after each completed epoch (the matrices are
        consistent then). Raises :class:`TrainingInterrupted` on Ctrl-C (the state
        is consistent and can be saved) and :class:`Word2VecError` when a thread
        fails (the other threads are stopped first). Returns nothing.
        """
        while self.state.epoch < self.opts.iter:
            if self.run_epoch(on_tick):
                self.state.epoch += 1
                if on_epoch is not None:
                    on_epoch(self)
            if self.stop[0]:
                raise TrainingInterrupted("training was stopped")

    def settle(self):
        """After Ctrl-C, count the epoch whose threads all finished before the signal
        was noticed (it may land between their return and the count), so that the
        state saved is exact. Returns nothing."""
        outcomes = getattr(self, "_outcomes", None)
        if (outcomes and all(outcome == self.kernels.EPOCH_DONE for outcome in outcomes)
                and self.state.epoch == self._outcomes_epoch):
            self.state.epoch += 1

    def run_epoch(self, on_tick=None):
        """Run every thread to the end of its share of the current epoch; return
        True when all finished it, False when the stop flag ended some earlier."""
        failures = []
        outcomes = [None] * self.opts.threads
        self._outcomes, self._outcomes_epoch = outcomes, self.state.epoch

        # each worker sets its event when it is done: Thread.join cannot be trusted after
        # Ctrl-C interrupted it (CPython 3.11 may then mark a running thread as stopped)
        finished = [threading.Event() for _ in range(self.opts.threads)]

        def work(thread_id):
            try:
                outcomes[thread_id] = self.kernels.train_thread(*self.arguments(thread_id))
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
        return all(outcome == self.kernels.EPOCH_DONE for outcome in outcomes)
