"""Saving a training run to a model file and getting it back, and the checkpoints
written while a run trains.

:func:`save_run` stores everything a :class:`~.run.TrainingRun` needs to go on
(options, vocabulary, matrices, each thread's generator and position, the schedule);
:func:`load_model` reads it back as a :class:`SavedModel`. :class:`Checkpoints`
decides when to write (every N epochs, or every N minutes) and writes atomically.
"""

import contextlib
import dataclasses
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
            "tree": "stored" if run.opts.hs and run.tree_given else "huffman", "saved_at": time.time()}
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

    Raises :class:`Word2VecError` (one line) for an unusable file, including one
    whose options this version does not know (written by a newer version).
    """
    from ..model.options import TrainOptions
    from ..text.vocab import Vocabulary

    loaded = modelfile.load(path, verify=verify)
    known = {field.name for field in dataclasses.fields(TrainOptions)}
    unknown = sorted(set(loaded.options) - known)
    if unknown:
        raise Word2VecError(f"model file {path} uses options this version does not know: {', '.join(unknown)}")
    missing = [name for name in ("words", "counts") + _STATE_ARRAYS + ("shares",) if loaded.get(name) is None]
    if missing:
        raise Word2VecError(f"not a usable word2vec_cli model file: {path}: array {missing[0]!r} is missing")
    try:
        options = TrainOptions(**loaded.options)
        counts = np.asarray(loaded["counts"])
        vocabulary = Vocabulary(modelfile.unpack_words(loaded["words"], len(counts)), counts)
        # files written before threads kept their own epochs lack thread_epochs: all at "epoch"
        thread_epochs = loaded.get("thread_epochs")
        state = TrainingState(**{name: np.asarray(loaded[name]) for name in _STATE_ARRAYS},
                              epoch=int(loaded.meta["epoch"]),
                              thread_epochs=None if thread_epochs is None else np.array(thread_epochs, np.int64))
        meta = dict(loaded.meta)
        int(meta["epoch_words"]), int(meta["n_tokens"])
    except (KeyError, TypeError, ValueError) as exc:
        raise Word2VecError(f"not a usable word2vec_cli model file: {path}: {exc}") from None
    n_words, threads = len(vocabulary), len(state.threads)
    if (state.syn0.shape != (n_words, options.size) or state.syn1.shape[1] != options.size
            or state.syn1neg.shape[1] != options.size or threads != options.threads
            or state.progress.shape != (threads,) or loaded["shares"].shape != (threads, 2)
            or state.thread_epochs.shape != (threads,) or int(state.thread_epochs.min()) != state.epoch):
        raise Word2VecError(f"not a usable word2vec_cli model file: {path}: array shapes do not fit together")
    tree = None
    if meta.get("tree") == "stored":
        tree = tuple(np.asarray(loaded[name]) for name in ("codes", "points", "code_lengths"))
    shares = [(int(b), int(e)) for b, e in np.asarray(loaded["shares"])]
    return SavedModel(path, options, vocabulary, state, shares, tree, meta)


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
    """The encoded text kept beside a checkpoint: mapped like a temporary token
    file, never deleted by :meth:`close`. ``meta`` is its entry in the model's meta."""

    def __init__(self, path, n_tokens, meta):
        self.folder, self.path, self.n_tokens, self._map, self.meta = None, path, n_tokens, None, meta

    def close(self):
        """Unmap the file (it stays on disk)."""
        if self._map is not None:
            with contextlib.suppress(BufferError):
                self._map.close()
            self._map = None


def saved_tokens(saved):
    """Return a token file over the encoded text kept beside the checkpoint
    ``saved`` (a :class:`SavedModel`), or None when it is absent or does not match
    (then the text is read again)."""
    info = saved.meta.get("tokens")
    path = tokens_path(saved.path)
    n_tokens = int(saved.meta["n_tokens"])
    if not info or not os.path.isfile(path) or os.path.getsize(path) != 4 * n_tokens:
        return None
    crc = 0
    with open(path, "rb") as source:
        while True:
            piece = source.read(1 << 24)
            if not piece:
                break
            crc = zlib.crc32(piece, crc)
    if crc != info.get("crc32"):
        return None

    return KeptTokens(path, n_tokens, {"crc32": crc})


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
