"""What runs on the Dask workers: counting, encoding and training one shard.

The corpus is split into byte ranges (:func:`~word2vec_cli.text.chunks.byte_ranges`),
one *shard* per worker, read by each worker from the shared path. A worker keeps, per
shard it trains, a :class:`ShardReplica`: the shard's token file, a
:class:`~word2vec_cli.training.run.TrainingRun` over it and two copies of the
matrices (``local``, trained; ``base``, as last sent plus the others' changes).
Replicas live in this process only; a task that finds no replica at the expected
round (its worker died, or it moved) reports it and the client sends the full
matrices.

The shard's slice and the global word count come from the client, and the threads'
generator states travel with every round's result, so a task that is redone on
another worker (with the generators the client holds) trains exactly the same
words.
"""

import dataclasses
import threading
import time

import numpy as np

from . import sync

_REPLICAS = {}
_LOCK = threading.Lock()


@dataclasses.dataclass
class JobSpec:
    """What every task of one distributed training job shares (broadcast once).

    ``opts`` are the resolved options, ``vocabulary`` the merged vocabulary,
    ``ranges`` the shards' byte ranges of ``path``, ``hot`` the hot block of each
    matrix (:func:`sync.hot_ranges`), ``total_tokens`` the tokens of all shards.
    """

    job: str
    opts: object
    path: str
    ranges: list
    vocabulary: object = None
    hot: dict = None
    total_tokens: int = 0


def count_shard(path, byte_range):
    """Count the words of one shard; return ``(words, counts)`` in first-seen order,
    ``words`` joined by newlines into one bytes object (a word never holds one):
    Dask serialises a list element by element, which for a list of 50,000 words
    takes over a second, against milliseconds for one bytes object."""
    from ..text.corpus import count_range

    words, counts = count_range(path, byte_range)
    return b"\n".join(words), counts


def split_words(joined):
    """Return the list of words that :func:`count_shard` joined into ``joined``."""
    return joined.split(b"\n")


def prepare_shard(spec, shard):
    """Encode ``shard`` on this worker (if not done yet); return its token count."""
    return _replica(spec, shard).n_tokens


def forget(job):
    """Delete this worker's replicas and token files of ``job``; return how many."""
    with _LOCK:
        keys = [key for key in _REPLICAS if key[0] == job]
        for key in keys:
            _REPLICAS.pop(key).close()
    return len(keys)


def _replica(spec, shard):
    with _LOCK:
        replica = _REPLICAS.get((spec.job, shard))
        if replica is None:
            replica = _REPLICAS[(spec.job, shard)] = ShardReplica(spec, shard)
    return replica


def train_round(spec, shard, round_index, token_slice, generators, words_before, updates, full, exchange_all):
    """Train ``shard``'s tokens ``token_slice`` as round ``round_index``.

    The replica first takes in what the other workers changed: ``updates``, a list
    of ``(round, change)`` from :func:`sync.combine`, each added (less this shard's
    own part of it) unless the replica already holds it; or, when ``full`` is given
    as ``(round, {matrix: array})``, the master matrices as combined through that
    round. ``generators`` are the shard's threads' generator states (None: the
    replica's own, left by the previous round), ``words_before`` the words all
    workers had done before this round (the learning-rate schedule). Returns a dict:
    ``deltas`` (hot rows, or every changed row when ``exchange_all``),
    ``generators``, ``words``, ``worker`` (address), or ``{"stale": True}`` when
    the replica did not train the previous round and ``full`` is needed.
    """
    started = time.perf_counter()
    replica = _replica(spec, shard)
    if full is None:
        _await_previous_round(replica, round_index)
    with replica.lock:
        if full is not None:
            replica.reset(*full)
        elif replica.round != round_index - 1:
            return {"stale": True}
        for done, change in updates or ():
            if done > replica.synced:
                sync.add_others(replica.local, replica.base, change, replica.own.pop(done, None))
                replica.synced = done
        replica.spec = spec  # the token count is known from the second broadcast on
        if generators is None:
            generators = replica.generators
        trained = time.perf_counter()
        words, generators = replica.train(token_slice, generators, words_before)
        trained = time.perf_counter() - trained
        deltas = sync.take_deltas(replica.local, replica.base, spec.hot, len(spec.vocabulary), exchange_all)
        replica.own[round_index] = deltas
        replica.round, replica.generators = round_index, generators
        replica.last_seconds = time.perf_counter() - started
        replica.lock.notify_all()
    return {"deltas": deltas, "generators": generators, "words": words, "worker": _address(),
            "train_seconds": trained, "task_seconds": time.perf_counter() - started}


def _await_previous_round(replica, round_index):
    """Wait, outside the worker's thread pool, until ``replica`` has trained round
    ``round_index - 1``, for at most :func:`_patience` seconds. Returns nothing.

    With ``-dask-overlap 1`` a shard's next round is queued on its worker before
    the current one has run, and a worker runs the tasks it holds in an order of its
    own: the later round may start first. Its replica is then one round behind, not
    lost; waiting (seceded, so that the earlier round can take the thread) avoids
    sending it the full matrices. A replica that is further behind, or new on this
    worker, is stale at once.
    """
    if replica.round != round_index - 2:
        return
    try:
        from distributed import rejoin, secede
    except ImportError:  # called outside Dask (tests): nothing else can run the round
        return
    secede()
    try:
        with replica.lock:
            replica.lock.wait_for(lambda: replica.round >= round_index - 1, timeout=_patience(replica))
    finally:
        rejoin()


def _patience(replica):
    """Seconds to wait for a replica's previous round: several times the last one's
    time, at least 5 s (a round lost with a worker is trained again elsewhere)."""
    return max(5.0, 4.0 * replica.last_seconds)


def token_folder():
    """Return the folder for this worker's token files: its Dask scratch folder
    (removed with a ``local:N`` cluster, purged by Dask when a worker died), or None
    (the system's temporary folder) outside a worker."""
    try:
        from distributed import get_worker

        return get_worker().local_directory
    except (ImportError, ValueError):
        return None


def _address():
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return None


class ShardReplica:
    """One shard's tokens and matrices on this worker (see the module's docstring)."""

    def __init__(self, spec, shard):
        from ..text.corpus import encode_range
        from ..training.run import TrainingRun

        self.lock = threading.Condition()  # held by a round; notified when one is done
        self.last_seconds = 0.0  # the last round's time on this worker
        self.spec = spec
        self.round = -1  # the matrices as the run starts them: what the first round needs
        self.synced = -1  # the last round whose combined change the replica holds
        self.own = {}  # round -> the deltas this replica sent for it, until its change comes back
        self.generators = None
        self.tokens = encode_range(spec.path, spec.ranges[shard], spec.vocabulary, tmpdir=token_folder())
        self.n_tokens = self.tokens.n_tokens
        opts = spec.opts
        self.run = TrainingRun(opts, spec.vocabulary, self.tokens)
        self.run.link()  # load the kernels now, not in the first round
        self.n_shards = len(spec.ranges)
        self.run.word_limit = np.iinfo(np.int64).max
        state = self.run.state
        self.local = {"syn0": state.syn0, "syn1": state.syn1, "syn1neg": state.syn1neg}
        self.base = {name: matrix.copy() for name, matrix in self.local.items()}

    def reset(self, through, full):
        """Set both copies of every shared row to the master's ``full`` matrices,
        which hold every round's change through round ``through``."""
        for name, matrix in full.items():
            rows = matrix.shape[0]
            self.local[name][:rows] = matrix
            self.base[name][:rows] = matrix
        self.synced, self.own = through, {}

    def train(self, token_slice, generators, words_before):
        """Train tokens ``token_slice = (begin, end)`` of the shard on ``-threads``
        threads (equal parts). Returns ``(words, generators)``.

        The kernels compute the learning rate from the words done over ``iter *
        train_words``; here ``train_words`` is the corpus over the number of shards
        and the words done start at ``words_before`` over the same number, so the
        rate is ``alpha * (1 - (words_before + shards * words_here) / total)``: as if
        every worker progressed at this one's pace during the round.
        """
        from ..kernels import thread as kernels
        from ..model.weights import learning_rate
        from ..training.shares import TokenRelease

        run, state = self.run, self.run.state
        opts = run.opts
        run.train_words = max(1, self.spec.total_tokens // self.n_shards)  # every worker's words: see above
        begin, end = token_slice
        threads = opts.threads
        run.shares = [(begin + k * (end - begin) // threads, begin + (k + 1) * (end - begin) // threads)
                      for k in range(threads)]
        offset = words_before // self.n_shards
        state.progress[:] = 0
        state.progress[0] = offset
        total = opts.iter * run.train_words + 1
        state.alphas[:] = learning_rate(np.float32(opts.alpha), offset, total)
        for k, (share_begin, _) in enumerate(run.shares):
            state.threads[k] = 0
            state.threads[k, kernels.STATE_RANDOM] = np.uint64(generators[k])
            state.threads[k, kernels.STATE_CURSOR] = share_begin
            run.cursors[k] = share_begin
        run.release = TokenRelease(self.tokens, run.shares, run.cursors)
        run.run_epoch()
        words = int(state.progress.sum()) - offset
        return words, [int(g) for g in state.threads[:, kernels.STATE_RANDOM]]

    def close(self):
        """Delete the shard's token file."""
        self.tokens.close()
