"""The training driver: vocabulary, encoding, threads, progress and output.

:func:`train_model` is what both the ``word2vec`` command and :func:`word2vec_cli.train`
run. It checks every input and output before any long work starts, reads the text
once into a token file (:mod:`~word2vec_cli.text.corpus`), trains on threads
(:mod:`.run`), shows progress, and writes the result atomically.
"""

import dataclasses
import os
import sys
import time

import numpy as np

from ..errors import Word2VecError
from ..files.inputs import check_readable, is_stdin
from ..files.outputs import check_writable
from ..jitmemory import release_compiler_pages
from .run import WATCH_INTERVAL, TrainingInterrupted


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


def _log(opts, level, message):
    if opts.debug >= level:
        print(message, file=sys.stderr, flush=True)


def check_paths(opts):
    """Raise :class:`Word2VecError` for any unreadable input or unwritable output,
    before any work starts."""
    check_readable(opts.train, "training file")
    if opts.read_vocab:
        check_readable(opts.read_vocab, "vocabulary file")
    for flag, path in (("-output", opts.output), ("-save-vocab", opts.save_vocab)):
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
                                           progress=bar.update if bar else None,
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
    _log(opts, 1, f"Vocab size: {len(vocabulary)}")
    _log(opts, 1, f"Words in train file: {vocabulary.train_words}")
    return vocabulary, tokens, seconds


def _text_bar(opts):
    if opts.debug < 2:
        return None
    from tqdm import tqdm

    total = None
    if not is_stdin(opts.train) and not opts.train.endswith((".gz", ".bz2", ".xz")):
        total = os.path.getsize(opts.train)
    return tqdm(total=total, unit="B", unit_scale=True, desc="Reading text", file=sys.stderr,
                mininterval=0.5, leave=False)


def train_model(options, vectors_wanted=True, tmpdir=None, release_jit_pages=False):
    """Run the whole training job described by ``options`` (a :class:`TrainOptions`).

    Builds (or reads) the vocabulary and saves it if ``save_vocab`` is set. When an
    ``output`` is given, or ``vectors_wanted`` is true, trains and returns the vectors;
    with ``output`` they (or the k-means classes) are written there atomically.

    ``release_jit_pages`` gives the JIT compiler's idle memory back to the OS between
    phases (a process-wide change: the command line asks for it, library calls do
    not by default).

    Returns a :class:`TrainingResult`. Raises :class:`Word2VecError` for bad input
    (before anything is written), when a training thread fails (exit status 1), and
    :class:`TrainingInterrupted` on Ctrl-C.
    """
    opts = options.resolved()
    check_paths(opts)
    if opts.dask:
        result = _train_on_dask(opts, vectors_wanted)
    else:
        result = _train_here(opts, vectors_wanted, tmpdir, release_jit_pages)
    if result.syn0 is None:
        return result
    vocabulary, trained, seconds = result.vocabulary, result.words_trained, result.seconds
    result.words_per_second = trained / seconds if seconds > 0 else 0.0
    if opts.output:
        if opts.classes:
            from ..vectors.classes import kmeans_classes, save_classes

            result.classes = kmeans_classes(result.syn0, opts.classes)
            save_classes(opts.output, vocabulary.word_bytes, result.classes)
        else:
            from ..vectors.write import save_vectors

            save_vectors(opts.output, vocabulary.words, result.syn0, binary=bool(opts.binary))
    _log(opts, 1, f"Vocabulary {len(vocabulary)} words, {vocabulary.train_words} training words, "
                  f"{result.seconds:.1f} s, {result.words_per_second:,.0f} words/s")
    return result


def _train_here(opts, vectors_wanted, tmpdir, release_jit_pages):
    """Count, encode and train in this process; return a :class:`TrainingResult`
    (``syn0`` None when no vectors are wanted)."""
    vocabulary, tokens, text_seconds = build_vocabulary(opts, tmpdir, release_jit_pages)
    with tokens:
        if opts.save_vocab:
            vocabulary.save(opts.save_vocab)
        result = TrainingResult(vocabulary, text_seconds=text_seconds)
        if not (opts.output or vectors_wanted):
            return result
        _log(opts, 1, f"Training {'CBOW' if opts.cbow else 'skip-gram'}"
                      f"{' hierarchical softmax' if opts.hs else ''}"
                      f"{f' negative {opts.negative}' if opts.negative else ''} on {opts.threads} threads")
        result.syn0, result.words_trained, result.seconds = _train_vectors(opts, vocabulary, tokens,
                                                                           release_jit_pages)
    return result


def _train_on_dask(opts, vectors_wanted):
    """Count and train on the Dask cluster ``opts.dask``; return a :class:`TrainingResult`."""
    from ..distributed.client import train_distributed

    done = train_distributed(opts, vectors_wanted)
    if opts.save_vocab:
        done.vocabulary.save(opts.save_vocab)
    if done.rounds:
        _log(opts, 1, f"Dask: {done.workers} workers, {done.rounds} rounds, {done.hot_rows} hot rows, "
                      f"sent {done.bytes_up / done.rounds / 1e6:.2f} MB up and "
                      f"{done.bytes_down / done.rounds / 1e6:.2f} MB down per round, "
                      f"{done.retried_shards} shard rounds retried; slowest worker: {done.train_seconds:.1f} s "
                      f"training, {done.task_seconds:.1f} s in tasks, of {done.seconds:.1f} s")
    return TrainingResult(done.vocabulary, syn0=done.syn0, words_trained=done.words_trained,
                          seconds=done.seconds, text_seconds=done.text_seconds)


def _train_vectors(opts, vocabulary, tokens, release_jit_pages=False):
    """Initialise the matrices and train them; return ``(syn0, words, seconds)``."""
    from .run import TrainingRun

    run = TrainingRun(opts, vocabulary, tokens)
    run.link()
    if release_jit_pages:
        release_compiler_pages()
    bar = _training_bar(opts, run.total_words)
    start = time.perf_counter()
    try:
        run.train(on_tick=bar.show if bar else None)
    except KeyboardInterrupt:
        done, total = run.state.words_done, run.total_words
        raise TrainingInterrupted(f"interrupted after {done:,} of {total:,} words "
                                  f"({100.0 * done / max(total, 1):.1f}%); nothing was written") from None
    finally:
        if bar is not None:
            bar.close()
    return run.state.syn0, run.state.words_done, time.perf_counter() - start


class _TrainingBar:
    """The training progress bar on stderr (``-debug 2``): words, speed, alpha, ETA."""

    def __init__(self, total):
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="word", unit_scale=True, desc="Training", file=sys.stderr,
                        mininterval=WATCH_INTERVAL, smoothing=0.1, leave=False)
        self.shown = 0

    def show(self, run):
        done = run.state.words_done
        self.bar.set_postfix_str(f"alpha {float(run.state.alphas.min()):.6f}", refresh=False)
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self):
        self.bar.close()


def _training_bar(opts, total):
    return _TrainingBar(total) if opts.debug >= 2 else None
