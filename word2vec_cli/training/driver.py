"""The training driver: vocabulary, encoding, threads, progress and output.

:func:`train_model` is what both the ``word2vec`` command and :func:`word2vec_cli.train`
run. It checks every input and output before any long work starts, reads the text
once into a token file (:mod:`corpus`), starts one Python thread per ``-threads``
running the GIL-free kernel of :mod:`kernels` on an equal share of tokens, shows
progress, and writes the result atomically.
"""

import dataclasses
import os
import sys
import threading
import time

import numpy as np

from ..errors import Word2VecError
from ..files.inputs import check_readable, is_stdin
from ..files.outputs import check_writable
from ..jitmemory import release_compiler_pages
from .shares import TokenRelease, hot_nodes_per_thread, thread_shares

#: How often the progress bar is refreshed (seconds); the spec asks for at least 1/s.
PROGRESS_INTERVAL = 0.25


class TrainingInterrupted(Word2VecError):
    """Raised when Ctrl-C stopped training; nothing has been written."""

    exit_code = 130


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


def build_vocabulary(opts, tmpdir=None):
    """Read the text once; return ``(vocabulary, token_file, seconds)``."""
    from ..text import corpus
    from ..text.vocab import Vocabulary

    start = time.perf_counter()
    known = None if opts.read_vocab is None else Vocabulary.read(opts.read_vocab, opts.min_count)
    bar = _text_bar(opts)
    try:
        vocabulary, tokens = corpus.encode(opts.train, opts.min_count, read_vocab=known, tmpdir=tmpdir,
                                           progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    if len(vocabulary) < 2:
        tokens.close()
        raise Word2VecError(f"no word in {opts.train} occurs at least -min-count {opts.min_count} times")
    seconds = time.perf_counter() - start
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


def train_model(options, vectors_wanted=True, tmpdir=None):
    """Run the whole training job described by ``options`` (a :class:`TrainOptions`).

    Builds (or reads) the vocabulary and saves it if ``save_vocab`` is set. When an
    ``output`` is given, or ``vectors_wanted`` is true, trains and returns the vectors;
    with ``output`` they (or the k-means classes) are written there atomically.

    Returns a :class:`TrainingResult`. Raises :class:`Word2VecError` for bad input
    (before anything is written) and :class:`TrainingInterrupted` on Ctrl-C.
    """
    opts = options.resolved()
    check_paths(opts)
    vocabulary, tokens, text_seconds = build_vocabulary(opts, tmpdir or opts.tmpdir)
    with tokens:
        if opts.save_vocab:
            vocabulary.save(opts.save_vocab)
        result = TrainingResult(vocabulary, text_seconds=text_seconds)
        if not (opts.output or vectors_wanted):
            return result
        _log(opts, 1, f"Training {'CBOW' if opts.cbow else 'skip-gram'}"
                      f"{' hierarchical softmax' if opts.hs else ''}"
                      f"{f' negative {opts.negative}' if opts.negative else ''} on {opts.threads} threads")
        result.syn0, trained, seconds = _train_vectors(opts, vocabulary, tokens)
    result.words_trained = trained
    result.seconds = seconds
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


def _train_vectors(opts, vocabulary, tokens):
    """Initialise the matrices and run the threads; return ``(syn0, words, seconds)``."""
    from ..kernels import thread as kernels
    from ..model import sampling
    from ..model.huffman import HuffmanCodes
    from ..model.weights import initial_vectors, sigmoid_table

    n_words = len(vocabulary)
    counts = vocabulary.counts
    train_words = vocabulary.train_words
    syn0 = initial_vectors(n_words, opts.size, (opts.seed + 1) % (1 << 64))
    hot_nodes = hot_nodes_per_thread(opts, n_words)
    private_rows = opts.threads * (hot_nodes + 1) if hot_nodes else 0  # see kernels.train_thread
    syn1 = np.zeros((n_words + private_rows if opts.hs else 1, opts.size), dtype=np.float32)
    syn1neg = np.zeros((n_words if opts.negative else 1, opts.size), dtype=np.float32)
    if opts.hs:
        huffman = HuffmanCodes(counts)
        codes, points, code_lengths = huffman.codes, huffman.points, huffman.lengths
    else:
        codes = np.zeros((1, 1), dtype=np.uint8)
        points = np.zeros((1, 1), dtype=np.int32)
        code_lengths = np.zeros(1, dtype=np.int32)
    bounds = sampling.unigram_bounds(counts) if opts.negative else np.array([0, sampling.TABLE_SIZE], np.int64)
    index = sampling.draw_index(bounds)
    keep = sampling.keep_probabilities(counts, opts.sample, train_words)
    exp_table = sigmoid_table()
    token_array = np.asarray(tokens.array())
    # with -read-vocab the counts may not match the text: stop an epoch where the
    # reference would (train_words / threads words); otherwise the share's end does
    word_limit = train_words // opts.threads if opts.read_vocab else np.iinfo(np.int64).max
    progress = np.zeros(opts.threads, dtype=np.int64)
    alphas = np.full(opts.threads, opts.alpha, dtype=np.float32)
    stop = np.zeros(1, dtype=np.int64)
    shares = thread_shares(opts, tokens, token_array, keep, counts, code_lengths)
    cursors = np.array([begin for begin, _ in shares], dtype=np.int64)
    release = TokenRelease(tokens, shares, cursors)
    failures = []

    def arguments(thread_id):
        begin, end = shares[thread_id]
        return (token_array, begin, end, syn0, syn1, syn1neg, exp_table, keep, opts.sample > 0,
                bounds, index, codes, points, code_lengths,
                bool(opts.cbow), bool(opts.hs), opts.negative, opts.window, opts.iter,
                train_words, word_limit, np.float32(opts.alpha), np.uint64(opts.seed),
                thread_id, progress, alphas, stop, cursors, bool(opts.batch), hot_nodes,
                kernels.HOT_MERGE_EVERY)

    _link(kernels.train_thread, arguments(0))
    release_compiler_pages()

    def run(thread_id):
        try:
            kernels.train_thread(*arguments(thread_id))
        except BaseException as exc:  # surfaced in the main thread
            failures.append(exc)

    total = opts.iter * train_words
    bar = None
    if opts.debug >= 2:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="word", unit_scale=True, desc="Training", file=sys.stderr,
                   mininterval=PROGRESS_INTERVAL, smoothing=0.1, leave=False)
    start = time.perf_counter()
    workers = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(opts.threads)]
    for worker in workers:
        worker.start()
    try:
        shown = 0
        while any(worker.is_alive() for worker in workers):
            workers[0].join(PROGRESS_INTERVAL) if workers[0].is_alive() else time.sleep(PROGRESS_INTERVAL)
            release()
            if bar is not None:
                done = int(progress.sum())
                bar.set_postfix_str(f"alpha {float(alphas.min()):.6f}", refresh=False)
                bar.update(done - shown)
                shown = done
    except KeyboardInterrupt:
        stop[0] = 1
        for worker in workers:
            worker.join()
        if bar is not None:
            bar.close()
        done = int(progress.sum())
        raise TrainingInterrupted(f"interrupted after {done:,} of {total:,} words "
                                  f"({100.0 * done / max(total, 1):.1f}%); nothing was written") from None
    seconds = time.perf_counter() - start
    if bar is not None:
        bar.update(int(progress.sum()) - shown)
        bar.close()
    if failures:
        raise failures[0]
    return syn0, int(progress.sum()), seconds


def _link(dispatcher, args):
    """Load (or compile) ``dispatcher`` for the types of ``args`` without running it,
    so that the threads start on linked code and LLVM's pages can be let go."""
    from numba import typeof

    dispatcher.compile(tuple(typeof(arg) for arg in args))
