"""Data-parallel training on Dask: byte ranges, merged counts, row synchronisation,
and (when dask.distributed is installed) training on a LocalCluster of two worker
processes, including one killed mid-round."""

import os
import signal
import sys

import numpy as np
import pytest

from conftest import REPO, run_cli
from word2vec_cli.distributed import sync
from word2vec_cli.text.chunks import byte_ranges
from word2vec_cli.text.corpus import count_range, encode, encode_range
from word2vec_cli.text.vocab import Vocabulary

sys.path.insert(0, str(REPO / "scripts"))
import make_demo_corpus  # noqa: E402

TEXT = (b"the cat\tsat on the mat\r\n" + b"a " * 50 + b"x" * 300 + b" the dog \n\n  and the cat ran\n" * 7
        + b"tail word without newline")


@pytest.mark.parametrize("parts", [1, 2, 3, 7, 40])
def test_ranges_counted_apart_and_merged_give_the_whole_file(tmp_path, parts):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(TEXT)
    whole, tokens = encode(str(corpus), min_count=2)
    ranges = byte_ranges(str(corpus), parts)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(TEXT)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    words, counts = [], []
    for byte_range in ranges:
        part_words, part_counts = count_range(str(corpus), byte_range)
        words += part_words
        counts.append(part_counts)
    merged = Vocabulary.from_counts(words, np.concatenate(counts), 2)
    assert merged.word_bytes == whole.word_bytes
    assert merged.counts.tolist() == whole.counts.tolist()
    # and the shards' tokens, one after the other, are the whole file's
    with tokens:
        shards = []
        for byte_range in ranges:
            with encode_range(str(corpus), byte_range, merged) as shard:
                shards.append(np.array(shard.array()))
        assert np.concatenate(shards).tolist() == np.asarray(tokens.array()).tolist()


def test_combine_adds_the_workers_deltas_or_their_mean_over_the_workers_that_changed_a_row():
    master = {"syn0": np.arange(12, dtype=np.float32).reshape(4, 3)}
    before = master["syn0"].copy()
    one = {"syn0": (np.array([0, 2], np.int32), np.array([[1, 1, 1], [2, 2, 2]], np.float32))}
    two = {"syn0": (np.array([2, 3], np.int32), np.array([[4, 4, 4], [8, 8, 8]], np.float32))}
    update = sync.combine(master, [one, two], mode="average")
    expected = before.copy()
    expected[0] += 1          # one worker: its delta
    expected[2] += (2 + 4) / 2  # two workers: their mean
    expected[3] += 8
    np.testing.assert_array_equal(master["syn0"], expected)
    assert update["syn0"][0].tolist() == [0, 2, 3]
    np.testing.assert_array_equal(update["syn0"][1], (expected - before)[[0, 2, 3]])
    summed = {"syn0": before.copy()}
    change = sync.combine(summed, [one, two], mode="sum")
    assert summed["syn0"][2, 0] == before[2, 0] + 6
    assert change["syn0"][1][1].tolist() == [6, 6, 6]


def test_workers_send_hot_rows_every_round_and_all_rows_on_a_full_exchange():
    base = {"syn0": np.zeros((6, 2), np.float32), "syn1neg": np.zeros((6, 2), np.float32)}
    local = {name: matrix.copy() for name, matrix in base.items()}
    local["syn0"][[1, 4]] = 1.0
    local["syn1neg"][5] = 2.0
    ranges = sync.hot_ranges(6, 2, hs=0, negative=5)
    hot = sync.take_deltas(local, {k: v.copy() for k, v in base.items()}, ranges, 6, everything=False)
    assert hot["syn0"][0].tolist() == [1] and hot["syn1neg"][0].tolist() == []
    full = sync.take_deltas(local, base, ranges, 6, everything=True)
    assert full["syn0"][0].tolist() == [1, 4] and full["syn1neg"][0].tolist() == [5]
    # what was sent is marked sent: nothing left to send
    again = sync.take_deltas(local, base, ranges, 6, everything=True)
    assert all(len(indices) == 0 for indices, _ in again.values())
    # hierarchical softmax: the hot nodes are those nearest the root (the last inner nodes)
    assert sync.hot_ranges(6, 2, hs=1, negative=0) == {"syn0": (0, 2), "syn1": (3, 5)}
    assert sync.hot_row_count(np.array([500, 300, 150, 40, 10]), round_words=10, n_shards=2) == 3


def test_replicas_that_add_the_others_changes_stay_equal_to_the_master_while_training_goes_on():
    """Two workers each train (here: add random changes) for three rounds; every
    round's combined change reaches them two rounds later, after they have changed
    their replicas again. After the last exchange both replicas and the
    master hold every change exactly once."""
    rng = np.random.default_rng(0)
    start = rng.standard_normal((8, 3)).astype(np.float32)
    master = {"syn0": start.copy()}
    replicas = [({"syn0": start.copy()}, {"syn0": start.copy()}) for _ in range(2)]
    ranges = {"syn0": (0, 8)}
    sent, changes = [{}, {}], []
    everything = start.astype(np.float64).copy()
    for round_index in range(3):
        for k, (local, base) in enumerate(replicas):
            if round_index >= 2:  # the change of the round before last, as a pipelined client sends it
                done, change = changes[round_index - 2]
                sync.add_others(local, base, change, sent[k].pop(done, None))
            rows = rng.choice(8, size=4, replace=False)
            step = rng.standard_normal((4, 3)).astype(np.float32)
            local["syn0"][rows] += step
            everything[rows] += step
            sent[k][round_index] = sync.take_deltas(local, base, ranges, 8, everything=True)
        changes.append((round_index, sync.combine(master, [sent[0][round_index], sent[1][round_index]])))
    for k, (local, base) in enumerate(replicas):
        for done, change in changes:
            if done in sent[k]:
                sync.add_others(local, base, change, sent[k].pop(done))
        # base: what the others know of this replica, i.e. the master
        np.testing.assert_allclose(base["syn0"], master["syn0"], atol=1e-6)
        # local - base: only what float16 rounding has kept back for the next round
        assert 0 < np.abs(local["syn0"] - base["syn0"]).max() < 1e-2
        np.testing.assert_allclose(local["syn0"], everything, atol=1e-2)  # the others kept back theirs
    np.testing.assert_allclose(master["syn0"], everything, atol=1e-2)


def test_without_dask_the_flag_names_the_extra(tmp_path):
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "distributed.py").write_text("raise ImportError('no dask here')\n")
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(TEXT)
    result = run_cli("-train", corpus, "-output", tmp_path / "v.txt", "-dask", "local:2", "-min-count", 1,
                     env={"PYTHONPATH": str(shim)})
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "pip install 'word2vec-cli[dask]'" in lines[0], lines
    assert not (tmp_path / "v.txt").exists()


def test_dask_needs_a_plain_shared_file(tmp_path):
    result = run_cli("-train", "-", "-output", tmp_path / "v.txt", "-dask", "local:2", input=TEXT)
    assert result.returncode == 2 and b"uncompressed file" in result.stderr
    assert b"Traceback" not in result.stderr


# --- on a LocalCluster: two single-threaded worker processes, loopback only ---------

@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    import dask

    # as the README asks of a scheduler (and -dask local:N does): a stolen next round
    # (-dask-overlap 1) would find no replica and be retried
    with dask.config.set({"distributed.scheduler.work-stealing": False}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     dashboard_address=None, silence_logs=50) as local:
        yield local


@pytest.fixture
def deadline():
    """Fail a test that runs longer than 90 s instead of hanging the suite."""
    def expire(*_):
        raise TimeoutError("distributed test took more than 90 s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(90)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    return make_demo_corpus.generate(folder, n_tokens=make_demo_corpus.SMALL_TOKENS, seed=1)


@pytest.mark.slow
@pytest.mark.parametrize("overlap", [0, 1])
def test_dask_training_learns_the_planted_analogies_with_the_single_machine_vocabulary(
        cluster, deadline, planted, tmp_path, overlap):
    corpus, questions = planted
    vectors, counted = tmp_path / "vectors.bin", tmp_path / "vocab.txt"
    result = run_cli("-train", corpus, "-output", vectors, *make_demo_corpus.TRAIN_FLAGS, "-threads", 1,
                     "-binary", 1, "-debug", 1, "-save-vocab", counted, "-dask", cluster.scheduler_address,
                     "-dask-round", 50000, "-dask-overlap", overlap, timeout=80)
    assert result.returncode == 0, result.stderr
    assert b"0 shard rounds retried" in result.stderr
    single, tokens = encode(str(corpus), min_count=5)
    tokens.close()
    expected = b"".join(b"%s %d\n" % (w, c) for w, c in zip(single.word_bytes, single.counts.tolist()))
    assert counted.read_bytes() == expected
    scored = run_cli("accuracy", vectors, 30000, input=questions.read_bytes())
    figures = make_demo_corpus.parse_accuracy_output(scored.stdout.decode())
    assert figures["seen"] == figures["questions"]
    assert figures["total"] >= 80.0, figures


@pytest.mark.slow
@pytest.mark.parametrize("overlap", [0, 1])
def test_a_worker_killed_mid_round_is_replaced_and_the_run_completes(cluster, deadline, tmp_path, overlap):
    from word2vec_cli.distributed.client import train_distributed
    from word2vec_cli.model.options import TrainOptions
    from word2vec_cli.model.weights import initial_vectors

    corpus = tmp_path / "c.txt"
    corpus.write_bytes((REPO / "tests/fixtures/golden/tiny-corpus.txt").read_bytes())
    killed = []

    def kill_one(client, round_index):
        if round_index == 2 and not killed:
            pids = client.run(os.getpid)
            victim = sorted(pids)[0]
            os.kill(pids[victim], signal.SIGKILL)
            killed.append(victim)

    opts = TrainOptions(train=str(corpus), dask=cluster.scheduler_address, threads=1, iter=2, size=20,
                        debug=0, dask_round=3000, dask_sync=2, dask_overlap=overlap).resolved()
    # the worker killed by the test before has been restarted: wait until it is back,
    # or the run would train on one worker and the victim would hold no shard
    from distributed import Client

    with Client(cluster) as client:
        client.wait_for_workers(2, timeout=60)
    result = train_distributed(opts, on_submitted=kill_one)
    assert killed and result.retried_shards >= 1
    single, tokens = encode(str(corpus), min_count=5)
    tokens.close()
    assert result.words_trained == 2 * single.train_words  # every word of every epoch, once
    assert result.syn0.shape == (len(single), 20) and np.isfinite(result.syn0).all()
    initial = initial_vectors(len(single), 20, np.uint64(1))
    assert np.abs(result.syn0 - initial).max() > 0.05  # trained, not the initial vectors


def _portable_conversions():
    """Array loops over the bit-arithmetic conversions used on CPUs without float16
    instructions."""
    from numba import njit

    from word2vec_cli.distributed import rows

    @njit
    def to_half(values):
        out = np.empty(values.shape[0], np.uint16)
        for i in range(values.shape[0]):
            out[i] = rows.portable_half_of(values[i])
        return out

    @njit
    def from_half(halves):
        out = np.empty(halves.shape[0], np.float32)
        for i in range(halves.shape[0]):
            out[i] = rows.portable_float_of(halves[i])
        return out

    return to_half, from_half


@pytest.mark.parametrize("kind", ["this CPU's", "portable"])
def test_float16_rounding_of_the_exchange_kernels_is_numpys(kind):
    from word2vec_cli.distributed import rows

    to_half, from_half = (rows.to_half, rows.from_half) if kind == "this CPU's" else _portable_conversions()
    every_half = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    expected = every_half.view(np.float16).astype(np.float32)
    got = from_half(every_half)
    finite = np.isfinite(expected)
    assert np.array_equal(got[finite].view(np.uint32), expected[finite].view(np.uint32))
    assert np.isnan(got[np.isnan(expected)]).all() and np.array_equal(got[np.isinf(expected)],
                                                                       expected[np.isinf(expected)])
    rng = np.random.default_rng(5)
    # every range of float32: subnormal halves, normal ones, overflow, exact ties, the edges between
    halves = every_half.view(np.float16)[finite].astype(np.float64)
    values = np.concatenate([
        rng.standard_normal(200_000) * 10.0 ** rng.integers(-9, 6, 200_000),
        halves,  # exact halves
        halves[:-1] / 2 + halves[1:] / 2,  # the ties between neighbours
        np.array([65504, 65519.99, 65520, 1e9, 2 ** -25, 2 ** -24, 2 ** -14, 0.0, -0.0, np.inf, -np.inf])
    ]).astype(np.float32)
    with np.errstate(over="ignore"):
        expected_halves = values.astype(np.float16).view(np.uint16)
    assert np.array_equal(to_half(values), expected_halves)


def test_combine_of_workers_that_sent_the_same_rows_rounds_the_sum_once():
    rng = np.random.default_rng(3)
    start = rng.standard_normal((6, 4)).astype(np.float32)
    rows = np.array([1, 2, 5], np.int32)
    parts = [{"syn0": (rows.copy(), (rng.standard_normal((3, 4)) * 0.01).astype(np.float16))} for _ in range(3)]
    master = {"syn0": start.copy()}
    update = sync.combine(master, parts)  # every worker sent rows 1, 2, 5
    total = sum(p["syn0"][1].astype(np.float32) for p in parts).astype(np.float16)
    assert update["syn0"][0].tolist() == [1, 2, 5]
    assert np.array_equal(update["syn0"][1].view(np.uint16), total.view(np.uint16))
    expected = start.copy()
    expected[rows] += total.astype(np.float32)
    np.testing.assert_array_equal(master["syn0"], expected)
    # a worker that sent other rows leaves the shared rows' numbers as they were
    other = {"syn0": start.copy()}
    uneven = parts + [{"syn0": (np.array([0], np.int32), np.zeros((1, 4), np.float16))}]
    sync.combine(other, uneven)
    np.testing.assert_array_equal(other["syn0"], expected)


@pytest.mark.slow
def test_a_local_cluster_of_forked_workers_trains_from_the_command_line(deadline, tmp_path):
    """``-dask local:2`` starts its own cluster (forked workers on Linux), trains,
    writes complete vectors and stops the workers."""
    pytest.importorskip("distributed")
    corpus = tmp_path / "c.txt"
    corpus.write_bytes((REPO / "tests/fixtures/golden/tiny-corpus.txt").read_bytes())
    vectors = tmp_path / "v.txt"
    result = run_cli("-train", corpus, "-output", vectors, "-size", 12, "-iter", 2, "-threads", 1, "-debug", 1,
                     "-dask", "local:2", "-dask-round", 2000, "-dask-overlap", 1, timeout=80)
    assert result.returncode == 0, result.stderr
    assert b"Dask: 2 workers" in result.stderr and b"0 shard rounds retried" in result.stderr
    single, tokens = encode(str(corpus), min_count=5)
    tokens.close()
    lines = vectors.read_bytes().splitlines()
    assert lines[0].split() == [str(len(single)).encode(), b"12"] and len(lines) == len(single) + 1
    assert all(len(line.split()) == 13 for line in lines[1:])


@pytest.mark.parametrize("quality", ["0", "1"])
def test_the_client_starts_its_master_as_every_replica_starts_its_matrices(tmp_path, quality):
    """The first round sends no matrices: each replica starts from the run's own
    initialisation, which must be the client's (with -quality init, doubled)."""
    from word2vec_cli.distributed.client import _initial_master
    from word2vec_cli.distributed.worker import JobSpec
    from word2vec_cli.model.options import TrainOptions
    from word2vec_cli.training.run import TrainingRun

    corpus = tmp_path / "c.txt"
    corpus.write_bytes(TEXT)
    opts = TrainOptions(train=str(corpus), min_count=1, size=8, threads=1, quality=quality, seed=3).resolved()
    vocabulary, tokens = encode(str(corpus), min_count=1)
    with tokens:
        replica = TrainingRun(opts, vocabulary, tokens).state
        master = _initial_master(opts, JobSpec(job="j", opts=opts, path=str(corpus), ranges=[], vocabulary=vocabulary))
    np.testing.assert_array_equal(master["syn0"], replica.syn0)
    np.testing.assert_array_equal(master["syn1neg"], replica.syn1neg[:len(vocabulary)])


def test_dask_refuses_the_window_position_architectures(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(TEXT)
    for architecture in (2, 3):
        result = run_cli("-train", corpus, "-output", tmp_path / "v.txt", "-type", architecture, "-dask", "local:2")
        assert result.returncode == 2 and b"-dask does not combine with -type 2" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "v.txt").exists()
