"""Training options: the reference's flags, their defaults, and validation."""

import dataclasses
import os

from ..errors import UsageError

#: The reference's default thread count, which ours caps the core count at.
MAX_DEFAULT_THREADS = 12


def default_threads():
    """Return the number of cores this process may use, capped at 12."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(MAX_DEFAULT_THREADS, cores))


@dataclasses.dataclass
class TrainOptions:
    """Everything the ``word2vec`` command takes (names are the flags, ``_`` for ``-``).

    ``alpha=None`` means the reference's default: 0.05 for CBOW, 0.025 for skip-gram.
    ``threads=None`` means :func:`default_threads`. ``seed`` (ours) is the base of
    the per-thread generators and of the initialisation; 0 reproduces the reference.
    ``batch`` (ours) selects batched skip-gram with negative sampling.
    ``dask`` (ours) is a Dask scheduler address or ``local:N``: train data-parallel
    on its workers, in rounds of ``dask_round`` tokens per worker, exchanging the
    rare words' rows every ``dask_sync`` rounds (see :mod:`word2vec_cli.distributed`).
    """

    train: str = None
    output: str = None
    size: int = 100
    window: int = 5
    sample: float = 1e-3
    hs: int = 0
    negative: int = 5
    threads: int = None
    iter: int = 5
    min_count: int = 5
    alpha: float = None
    classes: int = 0
    debug: int = 2
    binary: int = 0
    save_vocab: str = None
    read_vocab: str = None
    cbow: int = 1
    seed: int = 0
    batch: int = 0
    dask: str = None
    dask_round: int = 1_000_000
    dask_sync: int = 8

    def resolved(self):
        """Return a validated copy with ``alpha`` and ``threads`` filled in.

        Raises :class:`UsageError` for values the trainer cannot use.
        """
        opts = dataclasses.replace(self)
        if opts.alpha is None:
            opts.alpha = 0.05 if opts.cbow else 0.025
        if opts.threads is None:
            opts.threads = default_threads()
        opts.validate()
        return opts

    def validate(self):
        """Raise :class:`UsageError` naming the first flag whose value is unusable."""
        if not self.train:
            raise UsageError("-train is required")
        for flag, value, low in (("size", self.size, 1), ("iter", self.iter, 1), ("threads", self.threads, 1),
                                 ("window", self.window, 1), ("negative", self.negative, 0),
                                 ("min-count", self.min_count, 0), ("classes", self.classes, 0),
                                 ("seed", self.seed, 0), ("dask-round", self.dask_round, 1),
                                 ("dask-sync", self.dask_sync, 1)):
            if value is not None and value < low:
                raise UsageError(f"-{flag} must be at least {low}, got {value}")
        for flag, value in (("hs", self.hs), ("cbow", self.cbow), ("binary", self.binary),
                            ("batch", self.batch)):
            if value not in (0, 1):
                raise UsageError(f"-{flag} must be 0 or 1, got {value}")
        if self.debug not in (0, 1, 2):
            raise UsageError(f"-debug must be 0, 1 or 2, got {self.debug}")
        if self.sample < 0:
            raise UsageError(f"-sample must not be negative, got {self.sample}")
        if self.alpha is not None and not self.alpha > 0:
            raise UsageError(f"-alpha must be positive, got {self.alpha}")
        if not self.hs and self.negative == 0:
            raise UsageError("nothing to train: -hs 0 and -negative 0")
        if self.batch and (self.cbow or self.negative == 0):
            raise UsageError("-batch 1 needs skip-gram with negative sampling (-cbow 0 -negative N)")
        if self.dask is not None and not self.dask.strip():
            raise UsageError("-dask needs a scheduler address (host:port) or local:N")
        if self.size > 100_000:
            raise UsageError(f"-size {self.size} is too large")
