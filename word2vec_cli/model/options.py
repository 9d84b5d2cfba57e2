"""Training options: the reference's flags, their defaults, and validation."""

import dataclasses
import math
import os

from ..errors import UsageError

#: The changes ``-quality`` can make, each a difference between the reference and
#: gensim (README, "Quality against gensim, and threads"): ``nos`` no ``</s>`` in
#: the negative-sampling table; ``clip`` no update for a negative-sampling score
#: beyond (-6, 6); ``floor`` gensim's learning rate (linear down to 1e-4);
#: ``sentence`` sentences of up to 10,000 words instead of 1,000; ``share`` the
#: learning rate of gensim's ``corpus_file`` training (each thread decays it by its
#: own share of the epoch only; the threads meet at every epoch's end, as gensim's
#: workers do); ``init`` gensim's initial vectors (uniform in
#: (-1/size, 1/size), twice the reference's range); ``sample`` gensim's subsampling
#: threshold (``-sample`` times the words without ``</s>``).
QUALITY_CHANGES = ("nos", "clip", "floor", "sentence", "share", "init", "sample")
#: What ``-quality 1`` turns on: every change (none hurt in the study; README).
QUALITY_DEFAULT = QUALITY_CHANGES

#: The reference's default thread count, which ours caps the core count at.
MAX_DEFAULT_THREADS = 12
#: What ``-l2-rows`` accepts: which rows the L2 penalty applies to.
L2_ROWS = ("both", "input", "output")
#: Names of the architectures of ``-type``.
TYPE_NAMES = ("CBOW", "skip-gram", "cwindow", "structured skip-gram")

#: Seeds are 64-bit unsigned (the reference's ``unsigned long long`` generator).
MAX_SEED = (1 << 64) - 1
#: The longest sentence (kernels/context.py's MAX_SENTENCE_LENGTH; -quality sentence:
#: gensim's 10,000). The order-sensitive types (-type 2, 3) have output rows for every
#: window position, so their window may not reach beyond a sentence.
MAX_SENTENCE_WORDS, GENSIM_SENTENCE_WORDS = 1000, 10000


def check_float(flag, value, low=None, high=None, above=False):
    """Raise :class:`UsageError` unless ``value`` is a finite number at least ``low``
    (greater than ``low`` with ``above``) and at most ``high`` (None: no bound).

    Every float option goes through here, so that NaN and infinities (which Python's
    and click's float parsing accept) are refused the same way. Returns nothing.
    """
    if value is None:
        return
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"-{flag} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise UsageError(f"-{flag} must be a finite number, got {value}")
    if low is not None and above and not number > low:
        raise UsageError(f"-{flag} must be greater than {low:g}, got {value}" if low else
                         f"-{flag} must be positive, got {value}")
    if low is not None and not above and number < low:
        raise UsageError(f"-{flag} must be at least {low:g}, got {value}" if low else
                         f"-{flag} must not be negative, got {value}")
    if high is not None and number > high:
        raise UsageError(f"-{flag} must be at most {high}, got {value}")


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
    ``tmpdir`` (ours) is the folder for the token file (default: ``$TMPDIR``, then
    the system's temporary folder).
    ``type`` (wang2vec's numbering) selects the architecture: 0 CBOW, 1 skip-gram,
    2 continuous window (cwindow), 3 structured skip-gram; ``None`` follows ``cbow``,
    and a given ``type`` overrides ``cbow``. ``cap`` clamps every weight a step
    touches to [-cap, cap] (0 = off; wang2vec's ``-cap 1`` is our ``-cap 50``).
    ``l2`` is the L2 penalty's weight, applied to the rows named by ``l2_rows``
    (``both``, ``input`` or ``output``).
    ``quality`` (ours): ``"0"`` the reference's training, ``"1"`` the changes of
    :data:`QUALITY_DEFAULT`, or a comma-separated list of :data:`QUALITY_CHANGES`.
    ``log`` (ours): a JSON-lines progress log; ``eval`` / ``eval_pairs`` (ours): an
    analogy / word-pair file evaluated after each epoch; ``loss`` (ours): track the
    training loss (1), not (0), or ``None``: when ``log`` or an evaluation is asked for.
    ``dask`` (ours) is a Dask scheduler address or ``local:N``: train data-parallel
    on its workers, in rounds of ``dask_round`` tokens per worker, exchanging the
    rare words' rows every ``dask_sync`` rounds, training the next round while the
    previous one is exchanged when ``dask_overlap`` is 1 (see
    :mod:`word2vec_cli.distributed`); ``dask_timeout`` is the seconds to wait for the
    scheduler to answer and for its first worker.
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
    tmpdir: str = None
    # models, checkpoints and incremental training (README: "Models, checkpoints and
    # incremental training"); run-control fields, not part of the training recipe
    save_model: str = None
    checkpoint: str = None
    checkpoint_every: str = "1"
    resume: str = None
    init_model: str = None
    init_vectors: str = None
    update_vocab: int = 0
    alpha_schedule: str = "restart"
    hs_update: str = "graft"
    type: int = None
    cap: float = 0.0
    l2: float = 0.0
    l2_rows: str = "both"
    quality: str = "0"
    loss: int = None
    log: str = None
    eval: str = None
    eval_pairs: str = None

    def quality_changes(self):
        """Return the set of ``-quality`` changes in effect (empty: the reference).

        Raises :class:`UsageError` for an unknown change."""
        value = str(self.quality if self.quality is not None else "0").strip()
        if value == "0":
            return frozenset()
        if value == "1":
            return frozenset(QUALITY_DEFAULT)
        changes = frozenset(part.strip() for part in value.split(",") if part.strip())
        unknown = sorted(changes - set(QUALITY_CHANGES))
        if unknown or not changes:
            raise UsageError(f"-quality must be 0, 1 or a list of {','.join(QUALITY_CHANGES)}, got {value!r}")
        return changes

    @property
    def tracks_loss(self):
        """bool: whether the training loss is accumulated (``loss``, or by default
        when a log or an evaluation is asked for)."""
        if self.loss is not None:
            return bool(self.loss)
        return bool(self.log or self.eval or self.eval_pairs)
    dask: str = None
    dask_round: int = 1_000_000
    dask_sync: int = 8
    dask_overlap: int = 0
    dask_timeout: float = 5.0

    def resolved(self):
        """Return a validated copy with ``alpha`` and ``threads`` filled in.

        Raises :class:`UsageError` for values the trainer cannot use.
        """
        opts = dataclasses.replace(self)
        if opts.type is None:
            opts.type = 0 if opts.cbow else 1
        elif opts.type in (0, 1, 2, 3):
            # cbow stays the "averaged context -> centre" switch the shares estimate with
            opts.cbow = 1 if opts.type in (0, 2) else 0
        if opts.alpha is None:  # wang2vec's defaults: 0.05 for types 0 and 2, else 0.025
            opts.alpha = 0.05 if opts.type in (0, 2) else 0.025
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
                            ("batch", self.batch), ("dask-overlap", self.dask_overlap)):
            if value not in (0, 1):
                raise UsageError(f"-{flag} must be 0 or 1, got {value}")
        if self.type is not None and self.type not in (0, 1, 2, 3):
            raise UsageError(f"-type must be 0, 1, 2 or 3, got {self.type}")
        if self.batch and self.type not in (None, 1):
            raise UsageError("-batch 1 needs skip-gram (-type 1)")
        check_float("cap", self.cap, 0)
        check_float("l2", self.l2, 0)
        check_float("sample", self.sample, 0)
        check_float("alpha", self.alpha, 0, above=True)
        if self.type in (2, 3):
            longest = GENSIM_SENTENCE_WORDS if "sentence" in self.quality_changes() else MAX_SENTENCE_WORDS
            if self.window > longest:
                raise UsageError(f"-window {self.window} is longer than a sentence ({longest} words): "
                                 f"-type {self.type} has output rows for every window position")
        if self.l2_rows not in L2_ROWS:
            raise UsageError(f"-l2-rows must be one of {', '.join(L2_ROWS)}, got {self.l2_rows}")
        if self.loss not in (None, 0, 1):
            raise UsageError(f"-loss must be 0 or 1, got {self.loss}")
        self.quality_changes()
        if self.debug not in (0, 1, 2):
            raise UsageError(f"-debug must be 0, 1 or 2, got {self.debug}")
        if not self.hs and self.negative == 0:
            raise UsageError("nothing to train: -hs 0 and -negative 0")
        if self.batch and ((self.cbow and self.type is None) or self.negative == 0):
            raise UsageError("-batch 1 needs skip-gram with negative sampling (-cbow 0 -negative N)")
        if self.seed is not None and self.seed > MAX_SEED:
            raise UsageError(f"-seed must be at most {MAX_SEED} (2^64 - 1), got {self.seed}")
        if self.tmpdir is not None and not os.path.isdir(self.tmpdir):
            raise UsageError(f"-tmpdir is not a folder: {self.tmpdir}")
        checkpoint_interval(self.checkpoint_every)
        if self.update_vocab not in (0, 1):
            raise UsageError(f"-update-vocab must be 0 or 1, got {self.update_vocab}")
        if self.alpha_schedule not in ("restart", "continue"):
            raise UsageError(f"-alpha-schedule must be restart or continue, got {self.alpha_schedule}")
        if self.hs_update not in ("graft", "rebuild", "reset"):
            raise UsageError(f"-hs-update must be graft, rebuild or reset, got {self.hs_update}")
        if self.resume and self.init_model:
            raise UsageError("-resume and -init-model exclude each other")
        if self.dask is not None and not self.dask.strip():
            raise UsageError("-dask needs a scheduler address (host:port) or local:N")
        if not 0 < self.dask_timeout <= 86400:
            raise UsageError(f"-dask-timeout must be more than 0 and at most 86400 seconds, got {self.dask_timeout}")
        if self.size > 100_000:
            raise UsageError(f"-size {self.size} is too large")


def checkpoint_interval(text):
    """Parse ``-checkpoint-every``: ``N`` (epochs) or ``Nm`` (minutes).

    Returns ``(number, unit)`` with unit ``'epochs'`` or ``'minutes'``; raises
    :class:`UsageError` for anything else.
    """
    text = str(text).strip()
    unit = "minutes" if text.endswith("m") else "epochs"
    try:
        number = float(text[:-1]) if unit == "minutes" else int(text)
    except ValueError:
        number = 0
    if not (number > 0 and math.isfinite(number)):
        raise UsageError(f"-checkpoint-every must be N (epochs) or Nm (minutes), got {text!r}")
    return number, unit


#: Options a resumed run may take from the command line; the others come from the
#: checkpoint (a different explicit value is an error).
RUN_CONTROL = ("train", "output", "tmpdir", "save_model", "checkpoint", "checkpoint_every", "resume", "debug",
               "binary", "classes", "save_vocab", "init_model", "init_vectors", "update_vocab", "alpha_schedule",
               "hs_update", "log", "eval", "eval_pairs", "loss", "dask", "dask_round", "dask_sync",
               "dask_overlap", "dask_timeout")
#: Options a model trained further (-init-model) must keep: they shape its matrices
#: (the window sets the width of cwindow's and structured skip-gram's output layers).
MODEL_SHAPE = ("size", "cbow", "hs", "negative", "type", "window")


def merged_options(saved, given, keep):
    """Return the options of a run that continues ``saved`` (TrainOptions) with the
    command line's ``given``: fields in ``keep`` must not be given with another
    value (:class:`UsageError` naming the flag); every other field the command line
    set (to a value other than its default) replaces the saved one.
    """
    defaults = TrainOptions()
    merged = dataclasses.replace(saved)
    for field in dataclasses.fields(TrainOptions):
        name = field.name
        value, default, old = getattr(given, name), getattr(defaults, name), getattr(saved, name)
        if value == default or value is None:
            continue
        if name in keep and value != old:
            flag = name.replace("_", "-")
            raise UsageError(f"-{flag} {value} differs from the model's -{flag} {old}")
        setattr(merged, name, value)
    for name in RUN_CONTROL:  # run-control fields never carry over from the saved run
        setattr(merged, name, getattr(given, name))
    if merged.train is None:
        merged.train = saved.train
    return merged
