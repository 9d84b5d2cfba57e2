"""Saving a training run to a model file and getting it back, and the checkpoints
written while a run trains.

:func:`save_run` stores everything a :class:`~.run.TrainingRun` needs to go on
(options, vocabulary, matrices, each thread's generator and position, the schedule);
:func:`load_model` reads it back as a :class:`SavedModel`. :class:`Checkpoints`
decides when to write (every N epochs, or every N minutes) and writes atomically.
"""

import contextlib
import dataclasses
import mmap
import os
import time
import zlib

import numpy as np

from ..errors import Word2VecError
from ..text.corpus import TokenFile
from . import modelfile
from .state import TrainingState

_STATE_ARRAYS = ("syn0", "syn1", "syn1neg", "threads", "progress", "alphas", "losses")


def options_dict(opts):
    """Return the options as a JSON-ready dict (every TrainOptions field, generically)."""
    return dataclasses.asdict(opts)


def _run_fingerprint(run):
    """The run's :func:`text_fingerprint`, computed once per run."""
    if getattr(run, "_text_crc32", None) is None:
        run._text_crc32 = text_fingerprint(run.token_array)
    return run._text_crc32


def save_run(path, run, extra_meta=None):
    """Write ``run`` (a :class:`~.run.TrainingRun`, between epochs or stopped) to the
    model file ``path``; return the bytes written."""
    state = run.state
    arrays = {"words": modelfile.pack_words(run.vocabulary.word_bytes), "counts": run.vocabulary.counts}
    arrays.update({name: getattr(state, name) for name in _STATE_ARRAYS})
    arrays["shares"] = np.asarray(run.shares, dtype=np.int64).reshape(-1, 2)
    arrays["thread_epochs"] = np.asarray(state.thread_epochs, dtype=np.int64)
    if run.opts.hs and run.tree_given:
        arrays.update(codes=run.codes, points=run.points, code_lengths=run.code_lengths)
    meta = {"epoch": int(state.epoch), "epoch_words": int(run.train_words), "n_tokens": int(len(run.token_array)),
            "words_done": state.words_done, "total_words": int(run.total_words),
            "tree": "stored" if run.opts.hs and run.tree_given else "huffman", "saved_at": time.time(),
            "text_crc32": _run_fingerprint(run)}
    meta.update(extra_meta or {})
    return modelfile.save(path, options_dict(run.opts), meta, arrays)


@dataclasses.dataclass
class SavedModel:
    """A model file's contents: options, vocabulary, state and the run's layout."""

    path: str
    options: object
    vocabulary: object
    state: TrainingState
    shares: list
    tree: tuple
    meta: dict

    @property
    def finished(self):
        """bool: the run trained its whole schedule."""
        return self.state.epoch >= self.options.iter

    def run_kwargs(self):
        """Keyword arguments that make a :class:`~.run.TrainingRun` continue this state."""
        return dict(state=self.state, epoch_words=self.meta["epoch_words"], tree=self.tree, shares=self.shares)


def load_model(path, verify=True):
    """Read the model file at ``path``; return a :class:`SavedModel`.

    Every option is checked as the command line's flags are (plus its JSON type),
    and every array's dtype, shape and values against the options and each other
    (:mod:`.modelcheck`), so that no kernel ever indexes outside a matrix. Raises
    :class:`Word2VecError` (one line naming the field) for an unusable file,
    including one whose options this version does not know (written by a newer
    version).
    """
    from ..text.vocab import Vocabulary
    from .modelcheck import check_arrays, check_meta, check_options, check_tree, check_words

    loaded = modelfile.load(path, verify=verify)
    missing = [name for name in ("words", "counts") + _STATE_ARRAYS + ("shares",) if loaded.get(name) is None]
    if missing:
        raise Word2VecError(f"not a usable word2vec_cli model file: {path}: array {missing[0]!r} is missing")
    options = check_options(path, loaded.options)
    meta = check_meta(path, loaded.meta, options)
    counts = check_words(path, loaded)
    vocabulary = Vocabulary(modelfile.unpack_words(loaded["words"], len(counts)), counts)
    check_arrays(path, loaded, options, meta, len(vocabulary))
    # files written before threads kept their own epochs lack thread_epochs: all at "epoch"
    thread_epochs = loaded.get("thread_epochs")
    state = TrainingState(**{name: loaded[name] for name in _STATE_ARRAYS}, epoch=meta["epoch"],
                          thread_epochs=None if thread_epochs is None else np.array(thread_epochs, np.int64))
    if int(state.thread_epochs.min()) != state.epoch:
        raise Word2VecError(f"not a usable word2vec_cli model file: {path}: thread_epochs do not fit meta 'epoch'")
    tree = check_tree(path, loaded, options, len(vocabulary)) if meta.get("tree") == "stored" else None
    shares = [(int(b), int(e)) for b, e in loaded["shares"]]
    return SavedModel(path, options, vocabulary, state, shares, tree, meta)


def text_fingerprint(token_array):
    """Return the CRC-32 of the encoded text (the int32 token ids, in order): what
    tells a resumed run's text from another with the same number of tokens."""
    data = np.ascontiguousarray(token_array).reshape(-1).view(np.uint8)
    crc = 0
    for start in range(0, len(data), 1 << 24):
        crc = zlib.crc32(data[start:start + (1 << 24)], crc)
    return crc


def tokens_path(checkpoint):
    """Return the path of the encoded text kept beside ``checkpoint``."""
    return os.fspath(checkpoint) + ".tokens"


def _copy_tokens(tokens, target):
    """Copy the token file to ``target`` atomically; return its CRC-32."""
    from ..files.outputs import atomic_output

    crc = 0
    with open(tokens.path, "rb") as source, atomic_output(target) as handle:
        while True:
            piece = source.read(1 << 24)
            if not piece:
                break
            crc = zlib.crc32(piece, crc)
            handle.write(piece)
    return crc


class KeptTokens(TokenFile):
    """The encoded text kept beside a checkpoint (``path``), trained on through a
    private copy in a temporary folder (a memory map of the kept file itself would
    fault if that file were truncated or replaced during the run). :meth:`close`
    deletes the copy, never the kept file. ``meta`` is its entry in the model's meta."""

    def __init__(self, path, n_tokens, meta, copy):
        self.folder, self.path, self.n_tokens, self._map, self.meta = copy.folder, path, n_tokens, None, meta
        self.copy_path = copy.path
        self.thread_starts = None

    def array(self):
        """Return the tokens as a read-only int32 array over a memory map of the copy."""
        if self.n_tokens == 0:
            return np.zeros(0, dtype=np.int32)
        if self._map is None:
            with open(self.copy_path, "rb") as handle:
                self._map = mmap.mmap(handle.fileno(), 4 * self.n_tokens, access=mmap.ACCESS_READ)
        return np.frombuffer(self._map, dtype=np.int32, count=self.n_tokens)


def saved_tokens(saved, tmpdir=None):
    """Return a token file over the encoded text kept beside the checkpoint
    ``saved`` (a :class:`SavedModel`), or None when it is absent or does not match
    (its size, its CRC-32, or a word id outside the vocabulary; then the text is
    read again). The text is copied to a temporary folder (``tmpdir``) as it is
    checked, so that nothing done to the kept file can reach the run."""
    info = saved.meta.get("tokens")
    path = tokens_path(saved.path)
    n_tokens = int(saved.meta["n_tokens"])
    if not info or not os.path.isfile(path) or os.path.getsize(path) != 4 * n_tokens:
        return None
    copy = TokenFile(tmpdir)
    crc, read, in_range = 0, 0, True
    try:
        with open(path, "rb") as source, open(copy.path, "wb") as sink:
            while in_range:
                piece = source.read(1 << 24)
                if not piece:
                    break
                crc = zlib.crc32(piece, crc)
                read += len(piece)
                ids = np.frombuffer(piece, dtype=np.int32, count=len(piece) // 4)
                in_range = not ids.size or (int(ids.min()) >= 0 and int(ids.max()) < len(saved.vocabulary))
                sink.write(piece)
    except OSError:
        in_range = False
    if not in_range or read != 4 * n_tokens or crc != info.get("crc32"):
        copy.close()
        return None
    return KeptTokens(path, n_tokens, {"crc32": crc}, copy)


class Checkpoints:
    """Writes checkpoints of a run: every ``every`` epochs (``unit='epochs'``) or
    every ``every`` minutes (``unit='minutes'``), and a last one on request.

    Minute checkpoints need consistent matrices: :meth:`on_tick` sets the run's stop
    flag when one is due; the threads stop between sentences, :meth:`train` writes
    the file and trains on. With the first checkpoint the encoded text is kept
    beside it (``FILE.tokens``, 4 bytes a word, written once), so that a resumed
    run need not read the text again; it is deleted when the run completes.
    """

    def __init__(self, path, every=1, unit="epochs", log=None, tokens=None):
        self.path = path
        self.tokens = tokens
        self.tokens_meta = None
        self.every = every
        self.unit = unit
        self.log = log
        self.written = 0
        self.seconds = 0.0
        self.last = time.monotonic()
        self.due = False

    def write(self, run, why="checkpoint"):
        """Write the run's state now; return the seconds it took."""
        start = time.perf_counter()
        if self.tokens is not None and self.tokens_meta is None:
            self.tokens_meta = {"crc32": _copy_tokens(self.tokens, tokens_path(self.path))}
        save_run(self.path, run, {"tokens": self.tokens_meta} if self.tokens_meta else None)
        took = time.perf_counter() - start
        self.written += 1
        self.seconds += took
        self.last = time.monotonic()
        if self.log:
            self.log(f"{why}: wrote {self.path} at {run.state.words_done:,} words ({took:.2f} s)")
        return took

    def finish(self, run):
        """Write the finished run over the checkpoint and delete the kept text."""
        save_run(self.path, run)
        if self.tokens_meta is not None:
            with contextlib.suppress(OSError):
                os.unlink(tokens_path(self.path))

    def on_epoch(self, run):
        """Epoch hook: write every ``every`` epochs (not after the last: the run ends)."""
        if self.unit == "epochs" and run.state.epoch % self.every == 0 and run.state.epoch < run.opts.iter:
            self.write(run)

    def on_tick(self, run):
        """Tick hook: with minute checkpoints, ask the threads to stop when one is due."""
        if self.unit == "minutes" and time.monotonic() - self.last >= 60.0 * self.every:
            self.due = True
            run.stop[0] = 1

    def train(self, run, on_tick=None, on_epoch=None, meet=False):
        """Train ``run`` to the end of its schedule, writing checkpoints as set
        (``on_tick`` and ``on_epoch`` are the caller's hooks, called first; ``meet``
        as in :meth:`~.run.TrainingRun.train`, needed for checkpoints every N epochs).

        Ctrl-C (KeyboardInterrupt) propagates after the threads stopped; the caller
        writes the last checkpoint. Returns nothing.
        """
        from .run import TrainingInterrupted

        def tick(current):
            if on_tick is not None:
                on_tick(current)
            self.on_tick(current)

        def epoch(current):
            if on_epoch is not None:
                on_epoch(current)
            self.on_epoch(current)

        while True:
            try:
                run.train(on_tick=tick, on_epoch=epoch, meet=meet)
                return
            except TrainingInterrupted:
                if not self.due:
                    raise
                self.due = False
                run.stop[0] = 0
                run.settle()
                self.write(run)
