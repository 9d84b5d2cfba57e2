"""Bounded work, signals, divergence and leftovers: a hostile flag or file cannot
make a run endless or write NaN, and every failure (a signal, a full disk, SIGKILL
of an earlier run) cleans up after itself."""

import contextlib
import math
import os
import resource
import signal
import subprocess
import sys
import time

import pytest

from conftest import GOLDEN, run_cli
from word2vec_cli.errors import UsageError
from word2vec_cli.files.outputs import atomic_output
from word2vec_cli.model.options import TrainOptions
from word2vec_cli.text.corpus import TokenFile

TINY = str(GOLDEN / "tiny-corpus.txt")
QUICK = ("-size 8 -iter 1 -threads 1 -min-count 1 -debug 0").split()


def one_line(result, status, *fragments):
    err = result.stderr.decode()
    assert result.returncode == status, (result.returncode, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def temporaries(folder):
    return [n for n in os.listdir(folder) if n.endswith((".tmp", ".tokens")) or n.startswith("word2vec-")]


# ------------------------------------------------------------ bounded work


def test_a_window_beyond_any_sentence_is_bounded_work(tmp_path):
    # the reference loops over 2 x window slots per word: -window 10^9 never ended
    out = tmp_path / "v.txt"
    result = run_cli("-train", TINY, "-output", out, "-window", "1000000000", *QUICK, timeout=90)
    assert result.returncode == 0, result.stderr.decode()
    assert len(out.read_text().splitlines()) > 1000


def test_the_window_loop_visits_what_the_reference_visits():
    import numpy as np

    from word2vec_cli.kernels.context import collect_context, collect_positions

    sentence = np.arange(1, 8, dtype=np.int32) * 10
    contexts, slots = np.zeros(64, np.int64), np.zeros(64, np.int64)
    for window in (1, 3, 7, 30):
        for position in range(len(sentence)):
            for shrink in range(window):
                expected = [sentence[position - window + a] for a in range(shrink, 2 * window + 1 - shrink)
                            if a != window and 0 <= position - window + a < len(sentence)]
                n = collect_context(sentence, len(sentence), position, shrink, window, contexts)
                assert list(contexts[:n]) == expected
            full = [(sentence[position - window + a], a if a < window else a - 1) for a in range(2 * window + 1)
                    if a != window and 0 <= position - window + a < len(sentence)]
            n = collect_positions(sentence, len(sentence), position, window, contexts, slots)
            assert list(zip(contexts[:n], slots[:n])) == full


def test_order_sensitive_types_refuse_a_window_beyond_a_sentence(tmp_path):
    result = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-type", "2", "-window", "1001", *QUICK)
    one_line(result, 2, "-window 1001", "sentence")
    with pytest.raises(UsageError, match="-window 1001"):
        TrainOptions(train=TINY, type=3, window=1001).resolved()
    with pytest.raises(UsageError):
        TrainOptions(train=TINY, type=2, window=10001, quality="sentence").resolved()
    TrainOptions(train=TINY, type=2, window=5000, quality="sentence").resolved()


def test_jieba_gets_long_han_runs_in_pieces_and_normal_text_is_unchanged():
    pytest.importorskip("jieba")
    import random

    from word2vec_cli.segment import jieba_backend
    from word2vec_cli.segment.jieba_backend import JiebaSegmenter

    base = ("他来到了网易杭研大厦我们在北京大学学习中文自然语言处理技术中华人民共和国成立以来经济发展迅速"
            "小明硕士毕业于中国科学院计算所后在日本京都大学深造")
    normal = base * (3000 // len(base))  # one long run: no punctuation
    random.seed(3)
    hostile = "".join(chr(random.randint(0x4E00, 0x9FA5)) for _ in range(5_000))
    segmenter = JiebaSegmenter()  # one dictionary load; the modes are two switches
    cut = segmenter.tokenizer.cut
    for mode in jieba_backend.MODES:
        segmenter.tokenizer.cut, longest = cut, []
        segmenter.hmm, segmenter.full = mode == "precise", mode == "full"
        if mode != "full":
            assert segmenter.words(normal) == list(cut(normal, HMM=mode == "precise"))

        def recording(text, *args, **kwargs):
            longest.append(len(text))
            return cut(text, *args, **kwargs)

        segmenter.tokenizer.cut = recording
        words = segmenter.words(hostile)
        assert max(longest) <= jieba_backend.LONG_RUN  # jieba's time per piece is bounded
        if mode != "full":
            assert "".join(words) == hostile


# ------------------------------------------------------------ flags and divergence


@pytest.mark.parametrize("field,value", [("sample", math.nan), ("sample", math.inf), ("alpha", math.nan),
                                         ("alpha", math.inf), ("cap", math.nan), ("cap", math.inf),
                                         ("l2", math.nan), ("l2", -math.inf), ("sample", -1.0),
                                         ("alpha", 0.0)])
def test_every_float_flag_must_be_finite_and_in_range(field, value):
    with pytest.raises(UsageError, match=f"-{field} must"):
        TrainOptions(train=TINY, **{field: value}).resolved()


def test_float_flags_on_the_command_line(tmp_path):
    result = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-sample", "nan", *QUICK)
    one_line(result, 2, "-sample must be a finite number")
    result = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-checkpoint", tmp_path / "c",
                     "-checkpoint-every", "infm", *QUICK)
    one_line(result, 2, "-checkpoint-every")
    assert os.listdir(tmp_path) == []


def test_a_diverged_run_writes_nothing_and_fails(tmp_path):
    out = tmp_path / "v.txt"
    out.write_bytes(b"the old vectors")
    result = run_cli("-train", TINY, "-output", out, "-save-model", tmp_path / "m", "-checkpoint",
                     tmp_path / "c", "-alpha", "1e30", "-size", "8", "-iter", "2", "-threads", "2",
                     "-min-count", "1", "-debug", "0")
    one_line(result, 1, "diverged", "-alpha")
    assert out.read_bytes() == b"the old vectors"
    assert sorted(os.listdir(tmp_path)) == ["v.txt"]


def test_divergence_is_seen_while_training_in_the_frequent_rows():
    import types

    import numpy as np

    from word2vec_cli.training.driver import TrainingDiverged, _watch_divergence, check_finite

    syn0 = np.zeros((100, 4), np.float32)
    state = types.SimpleNamespace(syn0=syn0, syn1=np.zeros((1, 4), np.float32), syn1neg=np.zeros((100, 4), np.float32),
                                  losses=np.zeros((2, 2)), words_done=50)
    run = types.SimpleNamespace(state=state, opts=TrainOptions(negative=5), total_words=100)
    _watch_divergence(run)
    syn0[99, 0] = np.inf  # a rare word's row: the look while training skips it, the scan does not
    _watch_divergence(run)
    with pytest.raises(TrainingDiverged, match="diverged"):
        check_finite([syn0, state.syn1neg])
    syn0[3, 2] = np.nan
    with pytest.raises(TrainingDiverged, match="after 50 of 100 words"):
        _watch_divergence(run)


# ------------------------------------------------------------ signals


def _start_training(tmp_path, *flags):
    """Start a long run and return once its training threads are running (its run log, kept
    outside ``tmp_path``, has the ``start`` record), not after a fixed wait: under load the
    kernels can take seconds to load, and a signal before training has no checkpoint to write."""
    spool = tmp_path / "spool"
    spool.mkdir()
    run_log = tmp_path.parent / f"{tmp_path.name}-run.log"

    def default_hangup():  # a suite started under nohup would pass SIGHUP ignored
        signal.signal(signal.SIGHUP, signal.SIG_DFL)

    process = subprocess.Popen(
        [sys.executable, "-m", "word2vec_cli", "-train", TINY, "-tmpdir", str(spool), "-size", "50",
         "-iter", "100000", "-threads", "2", "-min-count", "1", "-debug", "0", "-log", str(run_log),
         *map(str, flags)],
        stderr=subprocess.PIPE, preexec_fn=default_hangup)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if run_log.exists() and '"start"' in run_log.read_text(encoding="utf-8"):
            break
        time.sleep(0.05)
    else:
        process.kill()
        raise AssertionError(f"training did not start: {process.communicate()[1].decode()}")
    assert os.listdir(spool), "the text is spooled before training starts"
    time.sleep(0.3)  # a few batches into training
    return process, spool


def test_sighup_is_sigterm_with_status_129(tmp_path):
    out, checkpoint = tmp_path / "v.txt", tmp_path / "run.ckpt"
    process, spool = _start_training(tmp_path, "-output", out, "-checkpoint", checkpoint)
    process.send_signal(signal.SIGHUP)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 129, err.decode()
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "terminated" in lines[0] and str(checkpoint) in lines[0], lines
    assert os.listdir(spool) == []
    # the checkpoint (and the text kept for it); no vectors, no temporary file
    assert sorted(os.listdir(tmp_path)) == ["run.ckpt", "run.ckpt.tokens", "spool"]


def test_an_ignored_sighup_stays_ignored():
    code = ("import signal\nsignal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
            "from word2vec_cli.cli.common import install_signal_handlers\ninstall_signal_handlers()\n"
            "assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN\n"
            "assert signal.getsignal(signal.SIGTERM) != signal.SIG_DFL\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()


def test_sigterm_while_the_text_is_read(tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "word2vec_cli", "-train", "-", "-output",
                                str(tmp_path / "v.txt"), "-tmpdir", str(spool), *QUICK],
                               stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdin.write(b"a few words of text\n" * 1000)
    process.stdin.flush()
    deadline = time.monotonic() + 60
    while not os.listdir(spool) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=30)  # stdin stays open: only the signal ends it
    finally:
        with contextlib.suppress(OSError):
            process.kill()
    assert process.returncode == 143, err.decode()
    assert os.listdir(spool) == [] and os.listdir(tmp_path) == ["spool"]


# ------------------------------------------------------------ leftovers


def _dead_pid():
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _locker(path):
    """A live process with no part in this test that holds ``path``'s lock."""
    code = ("import fcntl, os, sys, time\nfd = os.open(sys.argv[1], os.O_RDONLY)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)\n")
    process = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE)
    assert process.stdout.readline() == b"locked\n"
    return process


def test_later_runs_remove_what_killed_runs_left_and_nothing_else(tmp_path):
    dead, alive = _dead_pid(), os.getppid()
    stale = tmp_path / f".v.txt.{dead}.abcdefgh.tmp"
    locked = tmp_path / f".v.txt.{dead}.locked12.tmp"
    live = tmp_path / f".v.txt.{alive}.abcdefgh.tmp"
    other = tmp_path / f".w.txt.{dead}.abcdefgh.tmp"  # another output's: its own writer cleans it
    foreign = tmp_path / ".v.txt.abcdefgh.tmp"  # no pid in the name: cannot be judged
    spool = tmp_path / "spool"
    spool.mkdir()
    folders = {name: spool / f"word2vec-{pid}-{name}" for name, pid in
               (("stale123", dead), ("locked12", dead), ("alive123", alive))}
    for path in (stale, locked, live, other, foreign):
        path.write_bytes(b"partial")
    for folder in folders.values():
        folder.mkdir()
        (folder / "tokens.int32").write_bytes(b"\0" * 8)
    lockers = [_locker(locked), _locker(folders["locked12"])]
    try:
        with atomic_output(tmp_path / "v.txt") as handle:
            handle.write(b"new")
        with TokenFile(str(spool)) as tokens:
            assert os.path.isdir(tokens.folder)
            assert sorted(os.listdir(spool)) == sorted([os.path.basename(tokens.folder), folders["locked12"].name,
                                                        folders["alive123"].name])
    finally:
        for locker in lockers:
            locker.kill()
            locker.wait()
    assert (tmp_path / "v.txt").read_bytes() == b"new"
    assert not stale.exists() and all(p.exists() for p in (locked, live, other, foreign))


def test_sigkill_leftovers_go_with_the_next_run(tmp_path):
    process, spool = _start_training(tmp_path, "-output", tmp_path / "v.txt")
    process.kill()
    process.communicate(timeout=60)
    assert len(os.listdir(spool)) == 1  # what SIGKILL leaves
    result = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-tmpdir", spool, *QUICK)
    assert result.returncode == 0, result.stderr.decode()
    assert os.listdir(spool) == []


def _limit_file_size(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_checkpoint_that_cannot_be_written_leaves_no_kept_text(tmp_path):
    # the token file and its copy (88 kB) fit under the limit, the checkpoint (360 kB) does not
    checkpoint = tmp_path / "run.ckpt"
    result = subprocess.run([sys.executable, "-m", "word2vec_cli", "-train", TINY, "-output",
                             str(tmp_path / "v.txt"), "-checkpoint", str(checkpoint), "-size", "8", "-iter", "2",
                             "-threads", "1", "-min-count", "1", "-debug", "0", "-tmpdir", str(tmp_path)],
                            capture_output=True, timeout=120, preexec_fn=_limit_file_size(200_000))
    one_line(result, 1, str(checkpoint), "File too large")
    assert temporaries(tmp_path) == [] and os.listdir(tmp_path) == []


@pytest.fixture
def full_disk(tmp_path):
    """A folder on a tiny tmpfs filled to the last byte (needs root and mount; skips otherwise)."""
    folder = tmp_path / "full"
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                                           capture_output=True).returncode != 0:
        pytest.skip("a small tmpfs needs root and mount")
    try:
        with contextlib.suppress(OSError), open(folder / "filler", "wb", buffering=0) as filler:
            while True:
                filler.write(b"\0" * 4096)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_log_on_a_full_disk_is_named(tmp_path, full_disk):
    log = full_disk / "run.log"
    result = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-log", log, *QUICK)
    one_line(result, 1, f"-log file {log}", "No space left on device")
    assert not (tmp_path / "v.txt").exists()
