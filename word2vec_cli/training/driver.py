"""The training driver: vocabulary, encoding, threads, progress and output.

:func:`train_model` is what both the ``word2vec`` command and :func:`word2vec_cli.train`
run. It checks every input and output before any long work starts, reads the text
once into a token file (:mod:`~word2vec_cli.text.corpus`), trains on threads
(:mod:`.run`), shows progress, and writes the result atomically.
"""

import contextlib
import dataclasses
import os
import sys
import time

import numpy as np

from ..errors import UsageError, Word2VecError
from ..files.inputs import check_readable, is_regular_file
from ..files.outputs import check_writable
from ..jitmemory import release_compiler_pages
from ..model.options import TYPE_NAMES
from .run import TrainingInterrupted


@dataclasses.dataclass
class TrainingResult:
    """What a training run produced.

    ``vocabulary`` is always set; ``syn0`` (the word vectors, float32 V x size) is
    None when only the vocabulary was asked for; ``seconds`` and ``words_per_second``
    describe the training phase, ``words_trained`` the words processed (all epochs).
    """

    vocabulary: object
    syn0: np.ndarray = None
    classes: np.ndarray = None
    words_trained: int = 0
    seconds: float = 0.0
    words_per_second: float = 0.0
    text_seconds: float = 0.0
    #: words of the text of one epoch when they are not the vocabulary's counts
    #: (training a saved model further: the new text, not the merged counts)
    epoch_words: int = None


def say(opts, level, message):
    """Print ``message`` on stderr when ``-debug`` is at least ``level``."""
    if opts.debug >= level:
        print(message, file=sys.stderr, flush=True)


def check_paths(opts):
    """Raise :class:`Word2VecError` for any unreadable input or unwritable output,
    before any work starts."""
    if not opts.resume:  # a resumed run may find its text kept beside the checkpoint
        check_readable(opts.train, "training file")
    if opts.read_vocab and not (opts.resume or opts.init_model):
        check_readable(opts.read_vocab, "vocabulary file")
    if opts.init_vectors:
        from .incremental import check_vector_size

        check_readable(opts.init_vectors, "-init-vectors file")
        check_vector_size(opts.init_vectors, opts.size)
    for flag, path in (("-eval", opts.eval), ("-eval-pairs", opts.eval_pairs)):
        if path:
            check_readable(path, f"{flag} file")
    for flag, path in (("-output", opts.output), ("-save-vocab", opts.save_vocab), ("-log", opts.log),
                       ("-save-model", opts.save_model), ("-checkpoint", opts.checkpoint)):
        if path:
            check_writable(path, f"{flag} file")


def build_vocabulary(opts, tmpdir=None, release_jit_pages=False):
    """Read the text once; return ``(vocabulary, token_file, seconds)``.

    ``release_jit_pages`` lets the compiler's idle memory go once the counting
    kernels are loaded (:mod:`word2vec_cli.jitmemory`; the command line does this).
    """
    from ..text import corpus
    from ..text.vocab import Vocabulary

    start = time.perf_counter()
    known = None if opts.read_vocab is None else Vocabulary.read(opts.read_vocab, opts.min_count)
    bar = _text_bar(opts)
    try:
        vocabulary, tokens = corpus.encode(opts.train, opts.min_count, read_vocab=known, tmpdir=tmpdir,
                                           progress=bar.update if bar else None, threads=opts.threads,
                                           on_kernels_loaded=release_compiler_pages if release_jit_pages else None)
    finally:
        if bar:
            bar.close()
    if len(vocabulary) < 2:
        tokens.close()
        raise Word2VecError(f"no word in {opts.train} occurs at least -min-count {opts.min_count} times")
    seconds = time.perf_counter() - start
    if release_jit_pages:
        release_compiler_pages()
    say(opts, 1, f"Vocab size: {len(vocabulary)}")
    say(opts, 1, f"Words in train file: {vocabulary.train_words}")
    return vocabulary, tokens, seconds


def _text_bar(opts):
    """The text pass's progress (``-debug 2``): a bar on a terminal, plain lines elsewhere."""
    if opts.debug < 2:
        return None
    from ..console import StepProgress

    total = None
    if is_regular_file(opts.train) and not opts.train.endswith((".gz", ".bz2", ".xz")):
        total = os.path.getsize(opts.train)  # a stream's size is unknown: the bar counts bytes
    return StepProgress("Reading text", total=total)


def train_model(options, vectors_wanted=True, tmpdir=None, release_jit_pages=False, evaluate=None):
    """Run the whole training job described by ``options`` (a :class:`TrainOptions`).

    Builds (or reads) the vocabulary and saves it if ``save_vocab`` is set. When an
    ``output`` is given, or ``vectors_wanted`` is true, trains and returns the vectors;
    with ``output`` they (or the k-means classes) are written there atomically, with
    ``save_model`` the whole model too. ``resume`` continues a checkpoint,
    ``init_model`` trains a saved model on new text, ``init_vectors`` starts from a
    vector file (:mod:`.checkpoint`, :mod:`.incremental`); ``dask`` trains on a Dask
    cluster (:mod:`word2vec_cli.distributed`).

    ``release_jit_pages`` gives the JIT compiler's idle memory back to the OS between
    phases (a process-wide change: the command line asks for it, library calls do
    not by default).

    ``evaluate(words, matrix) -> dict``, when given, scores the vectors after each
    epoch (see :func:`word2vec_cli.monitor.make_evaluator`); its results go to
    stderr and the ``-log``.

    Returns a :class:`TrainingResult`. Raises :class:`Word2VecError` for bad input
    (before anything is written), when a training thread fails (exit status 1), and
    :class:`TrainingInterrupted` on Ctrl-C.
    """
    from . import setup

    opts, saved = setup.options_for(options)
    check_paths(opts)
    if opts.dask:
        raise UsageError("-dask trains through word2vec_cli.jobs.run_training (the command line and train() do)")
    result = _train_here(opts, saved, vectors_wanted, tmpdir or opts.tmpdir, release_jit_pages, evaluate)
    if result.syn0 is not None:
        write_outputs(opts, result)
    return result


#: Rows of the most frequent words looked at while training (divergence shows there first).
WATCHED_ROWS = 64
#: Rows per block when a whole matrix is scanned for NaN and infinities.
SCAN_ROWS = 1 << 14


class TrainingDiverged(Word2VecError):
    """Raised when the trained matrices hold NaN or infinite values; nothing is written."""


def _diverged(where):
    return TrainingDiverged(f"training diverged: NaN or infinite weights {where} (the learning rate "
                            "-alpha is too large for this text); nothing was written")


def all_finite(matrix, rows=None):
    """Return True when every value of ``matrix`` (its first ``rows`` rows, if given)
    is finite; scans in blocks of rows, so that no full-size temporary is made."""
    stop = len(matrix) if rows is None else min(rows, len(matrix))
    for begin in range(0, stop, SCAN_ROWS):
        if not np.isfinite(matrix[begin:min(begin + SCAN_ROWS, stop)]).all():
            return False
    return True


def check_finite(matrices, where="after training"):
    """Raise :class:`TrainingDiverged` unless every matrix of ``matrices`` is all
    finite (always called before anything trained is written). Returns nothing."""
    if not all(all_finite(matrix) for matrix in matrices if matrix is not None):
        raise _diverged(where)


def _watch_divergence(run):
    """Tick hook: a cheap look at the rows of the most frequent words (and the loss,
    when tracked); raises :class:`TrainingDiverged` as soon as they are not finite,
    which stops the threads."""
    state = run.state
    rows = (state.syn0, state.syn1neg if run.opts.negative else state.syn1)
    if not (all(all_finite(matrix, WATCHED_ROWS) for matrix in rows) and np.isfinite(state.losses).all()):
        raise _diverged(_progress(run))


def write_outputs(opts, result):
    """Write the vectors (or the k-means classes) of a finished ``result`` to
    ``opts.output`` and log the summary line. Raises :class:`TrainingDiverged`
    (nothing written) when the vectors are not all finite. Returns nothing."""
    vocabulary = result.vocabulary
    check_finite([result.syn0])
    result.words_per_second = result.words_trained / result.seconds if result.seconds > 0 else 0.0
    if opts.output:
        if opts.classes:
            from ..vectors.classes import kmeans_classes, save_classes

            result.classes = kmeans_classes(result.syn0, opts.classes, show_progress=opts.debug >= 2)
            save_classes(opts.output, vocabulary.word_bytes, result.classes)
        else:
            from ..vectors.write import save_vectors

            save_vectors(opts.output, vocabulary.words, result.syn0, binary=bool(opts.binary))
    text_words = vocabulary.train_words if result.epoch_words is None else result.epoch_words
    say(opts, 1, f"Vocabulary {len(vocabulary)} words, {text_words} training words, "
                 f"{result.seconds:.1f} s, {result.words_per_second:,.0f} words/s")


def _train_here(opts, saved, vectors_wanted, tmpdir, release_jit_pages, evaluate):
    """Count, encode and train in this process (fresh, or continuing the saved model
    ``saved``); return a :class:`TrainingResult` (``syn0`` None when no vectors are
    wanted)."""
    from . import setup

    if saved is not None:
        vocabulary, tokens, text_seconds, prepare = setup.continue_saved(opts, saved, tmpdir, _text_bar(opts))
    else:
        vocabulary, tokens, text_seconds = build_vocabulary(opts, tmpdir, release_jit_pages)
        prepare = setup.fresh(opts)
    with tokens:
        if opts.save_vocab:
            vocabulary.save(opts.save_vocab)
        result = TrainingResult(vocabulary, text_seconds=text_seconds,
                                epoch_words=tokens.n_tokens if opts.init_model else None)
        if not (opts.output or opts.save_model or vectors_wanted):
            return result
        result.syn0, result.words_trained, result.seconds = _train_vectors(
            opts, vocabulary, tokens, prepare, release_jit_pages, evaluate)
    return result


def _train_vectors(opts, vocabulary, tokens, prepare, release_jit_pages=False, evaluate=None):
    """Make the run (``prepare(opts, vocabulary, tokens)`` returns it, its state set)
    and train it, showing and logging progress, evaluating after each epoch with
    ``evaluate`` and writing checkpoints as asked; return ``(syn0, words, seconds)``."""
    from ..model.options import checkpoint_interval
    from .checkpoint import Checkpoints, KeptTokens, save_run, tokens_path
    from .log import TrainingLog
    from .progress import Reporter

    try:
        run = prepare(opts, vocabulary, tokens)
        run.track_loss = opts.tracks_loss
        run.link()
    except KeyboardInterrupt:
        raise TrainingInterrupted("interrupted before training started (while the kernels were loaded); "
                                  "nothing was written") from None
    if release_jit_pages:
        release_compiler_pages()
    # said once the kernels are linked: from here on the threads train
    say(opts, 1, f"Training {TYPE_NAMES[opts.type]}{' hierarchical softmax' if opts.hs else ''}"
                 f"{f' negative {opts.negative}' if opts.negative else ''} on {opts.threads} threads")
    checkpoints = None
    if opts.checkpoint:
        every, unit = checkpoint_interval(opts.checkpoint_every)
        checkpoints = _checked(Checkpoints)(opts.checkpoint, every, unit, log=lambda text: say(opts, 1, text),
                                            tokens=tokens)
        if isinstance(tokens, KeptTokens) and tokens.path == tokens_path(opts.checkpoint):
            checkpoints.tokens_meta = tokens.meta  # resumed into the same checkpoint: the text is there
    log = _NamedLog(TrainingLog, opts.log) if opts.log else None
    reporter = Reporter(run, show=opts.debug >= 2, log=log)
    words = vocabulary.words
    # the encoded text this run keeps beside its checkpoint: removed again if no
    # checkpoint that needs it gets written (a failure, a full disk)
    kept_before = checkpoints is not None and checkpoints.tokens_meta is not None

    def on_tick(run):
        reporter.tick(run)
        _watch_divergence(run)

    def on_epoch(run):
        _watch_divergence(run)  # before a checkpoint of the epoch is written
        reporter.epoch((lambda: evaluate(words, run.state.syn0)) if evaluate is not None else None)

    # an evaluation or a checkpoint after each epoch needs consistent matrices there;
    # gensim's workers (-quality share: their learning rate) wait for each other there.
    # Otherwise the threads go on, as the reference's do
    meet = (evaluate is not None or (checkpoints is not None and checkpoints.unit == "epochs")
            or "share" in opts.quality_changes())
    start = time.perf_counter()
    words_before = run.state.words_done
    try:
        try:
            if checkpoints is None:
                run.train(on_tick=on_tick, on_epoch=on_epoch, meet=meet)
            else:
                checkpoints.train(run, on_tick=on_tick, on_epoch=on_epoch, meet=meet)
            reporter.end()
        except KeyboardInterrupt:
            done, total = run.state.words_done, run.total_words
            saved = "nothing was written"
            if checkpoints is not None:
                run.settle()
                checkpoints.write(run, "interrupted")
                saved = f"checkpoint written to {opts.checkpoint} (continue with -resume)"
            raise TrainingInterrupted(f"interrupted after {done:,} of {total:,} words "
                                      f"({100.0 * done / max(total, 1):.1f}%); {saved}") from None
        finally:
            reporter.close()
            if log is not None:
                log.close()
        seconds = time.perf_counter() - start
        check_finite(_matrices(run))
        if opts.save_model:
            save_run(opts.save_model, run)
        if checkpoints is not None:  # the checkpoint ends as the finished model
            checkpoints.finish(run)
    except BaseException:
        if checkpoints is not None and not kept_before and not checkpoints.written:
            with contextlib.suppress(OSError):  # no checkpoint refers to it
                os.unlink(tokens_path(opts.checkpoint))
        raise
    return run.state.syn0, run.state.words_done - words_before, seconds


def _progress(run):
    """Return "after N of M words" for a message (the threads may read a little past
    their share: N is shown at most M)."""
    return f"after {min(run.state.words_done, run.total_words):,} of {run.total_words:,} words"


def _matrices(run):
    return run.state.syn0, run.state.syn1, run.state.syn1neg


def _checked(checkpoints_class):
    """Return a subclass of ``checkpoints_class`` that refuses to write a diverged run."""

    class CheckedCheckpoints(checkpoints_class):
        def write(self, run, why="checkpoint"):
            check_finite(_matrices(run), _progress(run))
            return super().write(run, why)

    return CheckedCheckpoints


class _NamedLog:
    """The ``-log`` file, whose write failures (a full disk) name it in one line."""

    def __init__(self, kind, path):
        self.path = path
        self._log = self._named(kind, path)

    def _named(self, call, *args, **fields):
        try:
            return call(*args, **fields)
        except OSError as exc:
            raise Word2VecError(f"cannot write -log file {self.path}: {exc.strerror or exc}") from None

    def write(self, event, **fields):
        """Append a record (see :class:`~.log.TrainingLog`). Returns nothing."""
        self._named(self._log.write, event, **fields)

    def close(self):
        """Close the file (a failure names it). Returns nothing."""
        self._named(self._log.close)
