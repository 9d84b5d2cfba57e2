"""The state of a training run: everything that changes while a model trains.

A :class:`TrainingState` holds the three matrices and, per thread, the resumable
kernel state (generator, position, counts), the words published to the learning-rate
schedule, the current learning rate and the accumulated loss, plus the number of
epochs completed. Together with the options, the vocabulary and the corpus, it is all
that is needed to continue a run exactly where it stopped.
"""

import dataclasses

import numpy as np


@dataclasses.dataclass
class TrainingState:
    """Matrices and per-thread progress of a training run.

    Attributes
    ----------
    syn0 : float32 (V, size)
        The input vectors (the word vectors written as output).
    syn1 : float32 (V + private rows, size) or (1, size)
        Hierarchical-softmax output weights, one row per inner Huffman node; with
        several threads, private rows of the hot nodes follow the V shared ones.
    syn1neg : float32 (V, size) or (1, size)
        Negative-sampling output weights.
    threads : uint64 (threads, STATE_FIELDS)
        Each thread's kernel state (:data:`~word2vec_cli.kernels.thread.STATE_FIELDS`).
    progress : int64 (threads,)
        Words each thread has added to the learning-rate schedule.
    alphas : float32 (threads,)
        Each thread's current learning rate.
    losses : float64 (threads, 2)
        Each thread's accumulated training loss and the centre words it was
        accumulated over (when the run tracks the loss).
    epoch : int
        Epochs completed by every thread.
    thread_epochs : int64 (threads,)
        Epochs completed by each thread (threads that do not wait for each other
        at epoch ends may be in different epochs); by default all ``epoch``.
    """

    syn0: np.ndarray
    syn1: np.ndarray
    syn1neg: np.ndarray
    threads: np.ndarray
    progress: np.ndarray
    alphas: np.ndarray
    losses: np.ndarray
    epoch: int = 0
    thread_epochs: np.ndarray = None

    def __post_init__(self):
        if self.thread_epochs is None:
            self.thread_epochs = np.full(len(self.threads), self.epoch, dtype=np.int64)

    @property
    def words_done(self):
        """int: words processed so far, as the learning-rate schedule counts them."""
        return int(self.progress.sum())

    @property
    def loss(self):
        """float: the loss accumulated by all threads so far."""
        return float(self.losses[:, 0].sum())

    @property
    def loss_words(self):
        """int: the centre words the loss was accumulated over."""
        return int(self.losses[:, 1].sum())
