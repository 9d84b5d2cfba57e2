"""Data-parallel training on a Dask cluster: the client's side.

``word2vec -train PATH -dask ADDRESS`` (or ``-dask local:N``) runs here:

1. The corpus (a plain file every worker can read at ``PATH``: a shared
   filesystem) is cut into one byte range per worker; the workers count their
   ranges, the client merges the counts in range order, which gives exactly the
   single-machine vocabulary, and broadcasts it.
2. Each worker encodes its range (its *shard*) into a local token file.
3. Training runs in rounds. In a round every worker trains the next slice of its
   shard (``-dask-round`` tokens) with the usual kernels and ``-threads`` threads,
   from its replica of the matrices, and sends back the changes of the hot rows
   (every ``-dask-sync`` rounds, of all rows); the client combines them
   (:mod:`.sync`) and the next round's tasks carry the changed rows back.
   The learning rate follows the words of all workers together.
4. A worker that dies mid-round: Dask reruns its task on another worker, which
   finds no replica of the shard, says so, and gets the full matrices (the
   shard's rare-row changes since the last full exchange are lost; its words are
   trained again).
"""

import collections
import dataclasses
import math
import time
import types
import uuid

import numpy as np

from ..errors import UsageError, Word2VecError
from . import sync
from .cluster import connect
from ..training.driver import say
from .worker import JobSpec, count_shard, forget, prepare_shard, split_words, train_round

@dataclasses.dataclass
class DistributedResult:
    """What :func:`train_distributed` returns; ``traffic`` holds the bytes of the
    arrays sent (``up``: workers to client, ``down``: client to workers);
    ``train_seconds`` and ``task_seconds`` add up, over the rounds, the slowest
    worker's time in the kernels and in the whole task (the rest of ``seconds`` is
    scheduling, transfer and combining)."""

    vocabulary: object
    syn0: np.ndarray = None
    words_trained: int = 0
    seconds: float = 0.0
    text_seconds: float = 0.0
    rounds: int = 0
    hot_rows: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    retried_shards: int = 0
    workers: int = 0
    train_seconds: float = 0.0
    task_seconds: float = 0.0


def check_corpus(path):
    """Raise :class:`UsageError` unless ``path`` is a plain file the workers can
    split into byte ranges (not standard input, not compressed)."""
    from ..files.inputs import is_compressed, is_stdin

    if is_stdin(path) or is_compressed(path):
        raise UsageError("-dask needs -train to be an uncompressed file on a filesystem every worker can read")


def train_distributed(opts, vectors_wanted=True, on_submitted=None, combine="sum"):
    """Count, encode and train ``opts`` (resolved :class:`TrainOptions` with
    ``opts.dask`` set) on a Dask cluster; return a :class:`DistributedResult`.

    ``on_submitted(client, round_index)`` is called after each round's tasks are
    submitted (tests use it to kill a worker mid-round); ``combine`` is
    :func:`sync.combine`'s mode. With ``opts.dask_overlap`` two rounds are submitted
    at once (the exchange of one round runs while the workers train the next);
    without, each round waits for the previous one's exchange.
    """
    check_corpus(opts.train)
    if opts.type in (2, 3):
        # their output layers are blocks per window position: the exchange of rows by
        # word (sync.py) would synchronise only the first block
        raise UsageError("-dask does not combine with -type 2 (cwindow) or -type 3 (structured skip-gram) (yet)")
    with connect(opts.dask, opts.dask_timeout, opts.tmpdir) as client:
        try:
            return _train(client, opts, vectors_wanted, on_submitted, combine, 2 if opts.dask_overlap else 1)
        except (Word2VecError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a task failed for good (e.g. it killed too many workers)
            raise Word2VecError(f"Dask training failed: {type(exc).__name__}: {exc}") from exc


def _workers(client, opts):
    workers = sorted(client.scheduler_info()["workers"])
    if not workers:
        try:
            client.wait_for_workers(1, timeout=opts.dask_timeout)
        except TimeoutError:
            raise Word2VecError(f"the Dask scheduler at {opts.dask} has no worker (none joined within "
                                f"{opts.dask_timeout:g} s, -dask-timeout)") from None
        workers = sorted(client.scheduler_info()["workers"])
    return workers


def _train(client, opts, vectors_wanted, on_submitted, combine, in_flight):
    from ..text.chunks import byte_ranges

    workers = _workers(client, opts)
    n = len(workers)
    start = time.perf_counter()
    spec = JobSpec(job=uuid.uuid4().hex, opts=opts, path=opts.train, ranges=byte_ranges(opts.train, n))
    vocabulary = _vocabulary(client, opts, spec, workers)
    result = DistributedResult(vocabulary, workers=n)
    say(opts, 1, f"Vocab size: {len(vocabulary)}")
    say(opts, 1, f"Words in train file: {vocabulary.train_words}")
    if not (opts.output or vectors_wanted):
        result.text_seconds = time.perf_counter() - start
        return result
    spec.vocabulary = vocabulary
    spec.hot = sync.hot_ranges(len(vocabulary), sync.hot_row_count(vocabulary.counts, opts.dask_round, n),
                               opts.hs, opts.negative)
    spec_future = client.scatter(spec, broadcast=True)
    try:
        places = list(workers)
        sizes = client.gather([client.submit(prepare_shard, spec_future, k, workers=[places[k]],
                                             allow_other_workers=True, pure=False) for k in range(n)])
        spec.total_tokens = int(sum(sizes))
        spec_future = client.scatter(spec, broadcast=True)  # now with the token count
        result.text_seconds = time.perf_counter() - start
        say(opts, 1, f"Training on {n} Dask workers x {opts.threads} threads, hot rows {spec.hot['syn0'][1]}")
        start = time.perf_counter()
        _rounds(client, opts, spec, spec_future, sizes, places, result, on_submitted, combine, in_flight)
        result.seconds = time.perf_counter() - start
    finally:
        try:
            client.run(forget, spec.job)
        except Exception:  # a worker that is gone has nothing left to delete
            pass
    return result


def _vocabulary(client, opts, spec, workers):
    """Count every byte range on the workers and merge the counts in range order."""
    from ..text.vocab import Vocabulary

    if opts.read_vocab:
        return Vocabulary.read(opts.read_vocab, opts.min_count)
    futures = [client.submit(count_shard, spec.path, byte_range, workers=[workers[k]],
                             allow_other_workers=True, pure=False)
               for k, byte_range in enumerate(spec.ranges)]
    words, counts = [], []
    for part_words, part_counts in client.gather(futures):
        words.extend(split_words(part_words))
        counts.append(part_counts)
    vocabulary = Vocabulary.from_counts(words, np.concatenate(counts), opts.min_count)
    if len(vocabulary) < 2:
        raise Word2VecError(f"no word in {opts.train} occurs at least -min-count {opts.min_count} times")
    return vocabulary


def _initial_master(opts, spec):
    """The matrices as every replica starts them (so that the first round needs
    no transfer of them)."""
    from ..model.weights import initial_input_vectors

    n_words = len(spec.vocabulary)
    master = {"syn0": initial_input_vectors(opts, n_words)}
    if opts.hs:
        master["syn1"] = np.zeros((n_words, opts.size), dtype=np.float32)
    if opts.negative:
        master["syn1neg"] = np.zeros((n_words, opts.size), dtype=np.float32)
    return master


def _rounds(client, opts, spec, spec_future, sizes, places, result, on_submitted, combine, in_flight):
    """Run every round of every epoch; fill ``result``.

    Up to ``in_flight`` rounds are submitted at once: while the workers train round
    ``r``, the client gathers and combines round ``r - 1``, and round ``r + 1``'s
    tasks carry the combined change of round ``r - 1`` (each worker starts round
    ``r + 1`` without the others' changes of round ``r``: one round later than with
    ``in_flight=1``, where every round waits for the previous one's exchange).
    """
    n = len(sizes)
    master = _initial_master(opts, spec)
    per_epoch = max(1, math.ceil(max(sizes) / max(1, opts.dask_round)))
    schedule = []  # (round, slices, exchange_all, words before it), known in advance
    words_before = 0
    for epoch in range(opts.iter):
        for part in range(per_epoch):
            slices = [(part * size // per_epoch, (part + 1) * size // per_epoch) for size in sizes]
            exchange_all = (len(schedule) + 1) % opts.dask_sync == 0 or part == per_epoch - 1
            schedule.append((len(schedule), slices, exchange_all, words_before))
            words_before += sum(end - begin for begin, end in slices)
    state = _Exchange(master, [[opts.seed + k * opts.threads + t for t in range(opts.threads)] for k in range(n)],
                      spec_future)
    watch = _Watch(opts, spec.vocabulary, spec.total_tokens, n, per_epoch)
    pending = collections.deque()
    try:
        for round_index, slices, exchange_all, before in schedule:
            while len(pending) >= in_flight:
                _finish(client, spec, pending.popleft(), state, result, combine, watch)
            updates_future = None
            if state.undelivered:  # sent once to every worker, not once per task inside the task graph
                updates_future = client.scatter([state.undelivered], broadcast=True, hash=False)[0]
                result.bytes_down += n * sum(sync.payload_bytes(change) for _, change in state.undelivered)
                state.undelivered = []
            first = round_index == 0
            # earlier rounds first (a round run before the one it follows waits for it on
            # the worker: see train_round); no future of a previous round is passed, for
            # Dask would keep every round's lineage, and every change sent, to the end
            futures = [client.submit(train_round, state.spec_future, k, round_index, slices[k],
                                     state.generators[k] if first else None, before, updates_future, None,
                                     exchange_all, workers=[places[k]], allow_other_workers=True,
                                     priority=-round_index, pure=False)
                       for k in range(n)]
            pending.append((round_index, futures, slices, exchange_all, before, places))
            if on_submitted is not None:
                on_submitted(client, round_index)
        while pending:
            _finish(client, spec, pending.popleft(), state, result, combine, watch)
    finally:
        watch.close()
    result.syn0 = master["syn0"]
    result.rounds = len(schedule)
    result.hot_rows = spec.hot["syn0"][1]


class _Exchange:
    """The client's side of the exchange: the master matrices, the last round
    combined into them, the combined changes not yet sent, each shard's generator
    states after the last round combined, and the job's spec as scattered."""

    def __init__(self, master, generators, spec_future):
        self.master = master
        self.spec_future = spec_future
        self.combined = -1
        self.undelivered = []
        self.generators = generators


def _redo(client, spec, state, shard, round_index, token_slice, before, exchange_all, place, attempts=3):
    """Train ``shard``'s round again from the full master matrices, on ``place`` if it
    is still there (where the shard's next round, already submitted, goes), else on
    any worker; return its result. While the cluster is replacing a dead worker, the data sent
    for the task can land on the dead one: then the spec and the matrices are sent
    again (``attempts`` times in all)."""
    for attempt in range(attempts):
        full = client.scatter([(state.combined, state.master)], hash=False)[0]
        outcome = _outcome(client.submit(train_round, state.spec_future, shard, round_index, token_slice,
                                          state.generators[shard], before, None, full, exchange_all,
                                          workers=[place], allow_other_workers=True,
                                          priority=-round_index, pure=False))
        if not outcome.get("stale"):
            return outcome
        time.sleep(0.5 * (attempt + 1))
        state.spec_future = client.scatter(spec, broadcast=True)
    raise Word2VecError(f"shard {shard} could not be trained again after losing its worker")


def _outcome(future):
    """Return a round task's result, or ``{"stale": True}`` when the task was lost
    with a worker: cancelled because data it needed (a scattered update that lived
    only on the dead worker) is gone, or killed too often."""
    from concurrent.futures import CancelledError

    from distributed.scheduler import KilledWorker

    try:
        return future.result()
    except (CancelledError, KilledWorker):
        return {"stale": True}


def _finish(client, spec, submitted, state, result, combine, watch):
    """Gather one round's results (redoing, from the full master, the tasks whose
    replica was lost), combine them into the master and queue the change."""
    round_index, futures, slices, exchange_all, before, places = submitted
    outcomes = [_outcome(future) for future in futures]
    for k, outcome in enumerate(outcomes):
        if outcome.get("stale"):  # the shard's replica is gone: send everything
            result.retried_shards += 1
            outcomes[k] = _redo(client, spec, state, k, round_index, slices[k], before, exchange_all, places[k])
            result.bytes_down += sum(m.nbytes for m in state.master.values())
    deltas = [outcome["deltas"] for outcome in outcomes]
    result.train_seconds += max(outcome["train_seconds"] for outcome in outcomes)
    result.task_seconds += max(outcome["task_seconds"] for outcome in outcomes)
    result.bytes_up += sum(sync.payload_bytes(d) for d in deltas)
    state.undelivered.append((round_index, sync.combine(state.master, deltas, combine)))
    state.combined = round_index
    for k, outcome in enumerate(outcomes):
        state.generators[k] = outcome["generators"]
        places[k] = outcome["worker"] or places[k]
        result.words_trained += outcome["words"]
    watch.round_done(round_index, sum(outcome["words"] for outcome in outcomes))


class _ClusterView:
    """What :class:`~word2vec_cli.training.progress.Reporter` reads of a run, over the
    whole cluster: the words all workers trained, the learning rate they reached,
    the epochs whose last round is combined, and ``threads`` counting every
    worker's."""

    def __init__(self, opts, vocabulary, total_tokens, workers):
        self.opts = dataclasses.replace(opts, threads=workers * opts.threads)
        self.vocabulary = vocabulary
        self.train_words = total_tokens
        self.total_words = opts.iter * total_tokens
        self.track_loss = False
        self.state = types.SimpleNamespace(words_done=0, loss=0.0, loss_words=0, epoch=0,
                                           alphas=np.array([opts.alpha], dtype=np.float32))
        self._epoch_began = (time.perf_counter(), 0)
        self._epoch_ends = {}

    def end_epoch(self):
        """Record that the epoch ``state.epoch + 1`` has just been combined; count it. Returns nothing."""
        now, words = time.perf_counter(), self.state.words_done
        began, words_before = self._epoch_began
        self.state.epoch += 1
        self._epoch_ends[self.state.epoch] = {
            "words": words - words_before, "loss": 0.0, "loss_words": 0, "seconds": now - began,
            "words_per_second": (words - words_before) / (now - began) if now > began else 0.0,
            "alpha": float(self.state.alphas[0]), "end": now}
        self._epoch_began = (now, words)

    def epoch_figures(self, epoch):
        """Return ``epoch``'s figures as :meth:`~word2vec_cli.training.run.TrainingRun.epoch_figures`
        names them, from the wall time between the combined rounds that ended the
        epoch before and this one."""
        return self._epoch_ends.get(epoch, {"words": 0, "loss": 0.0, "loss_words": 0, "seconds": 0.0,
                                            "words_per_second": 0.0, "alpha": float(self.state.alphas[0]),
                                            "end": None})


class _Watch:
    """The single-process run's progress display (:class:`~word2vec_cli.training.progress.Reporter`:
    a bar on a terminal, plain lines elsewhere, at ``-debug 2``), fed by the rounds
    through a :class:`_ClusterView`."""

    def __init__(self, opts, vocabulary, total_tokens, workers, per_epoch):
        from ..training.progress import Reporter

        self.view = _ClusterView(opts, vocabulary, total_tokens, workers)
        self.per_epoch = per_epoch
        self.reporter = Reporter(self.view, show=opts.debug >= 2)

    def round_done(self, round_index, words):
        """Count a combined round of ``words`` words; show it. Returns nothing."""
        from ..model.weights import learning_rate

        state = self.view.state
        state.words_done += words
        state.alphas[0] = learning_rate(np.float32(self.view.opts.alpha), state.words_done,
                                        self.view.total_words + 1)
        self.reporter.tick()
        if (round_index + 1) % self.per_epoch == 0:
            self.view.end_epoch()
            self.reporter.epoch()

    def close(self):
        """Close the bar. Returns nothing."""
        self.reporter.close()


def train_model_on_dask(options, vectors_wanted=True):
    """Run the training job ``options`` on the Dask cluster ``options.dask``: check it,
    count and train on the workers, save the vocabulary and write the outputs as a
    local run does. Returns a :class:`~word2vec_cli.training.driver.TrainingResult`.

    Raises :class:`UsageError` for the flags the workers do not carry yet.
    """
    from ..training.driver import TrainingResult, check_paths, write_outputs

    opts = options.resolved()
    unsupported = [flag for flag, value in (("-resume", opts.resume), ("-init-model", opts.init_model),
                                            ("-init-vectors", opts.init_vectors), ("-checkpoint", opts.checkpoint),
                                            ("-save-model", opts.save_model), ("-eval", opts.eval),
                                            ("-eval-pairs", opts.eval_pairs), ("-log", opts.log)) if value]
    if unsupported:
        raise UsageError(f"-dask does not combine with {', '.join(unsupported)} (yet)")
    check_paths(opts)
    done = train_distributed(opts, vectors_wanted)
    if opts.save_vocab:
        done.vocabulary.save(opts.save_vocab)
    if done.rounds:
        say(opts, 1, f"Dask: {done.workers} workers, {done.rounds} rounds, {done.hot_rows} hot rows, "
                     f"sent {done.bytes_up / done.rounds / 1e6:.2f} MB up and "
                     f"{done.bytes_down / done.rounds / 1e6:.2f} MB down per round, "
                     f"{done.retried_shards} shard rounds retried; slowest worker: {done.train_seconds:.1f} s "
                     f"training, {done.task_seconds:.1f} s in tasks, of {done.seconds:.1f} s")
    result = TrainingResult(done.vocabulary, syn0=done.syn0, words_trained=done.words_trained,
                            seconds=done.seconds, text_seconds=done.text_seconds)
    if result.syn0 is not None:
        write_outputs(opts, result)
    return result
