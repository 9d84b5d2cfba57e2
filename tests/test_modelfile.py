"""Model files, checkpoints and resuming: the format, its defects, and exact resumes."""

import json
import os
import signal
import struct
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import GOLDEN, run_cli
from word2vec_cli.errors import Word2VecError
from word2vec_cli.model.options import TrainOptions
from word2vec_cli.training.checkpoint import Checkpoints, load_model
from word2vec_cli.training.driver import train_model

TINY = GOLDEN / "tiny-corpus.txt"
SMALL = dict(threads=1, iter=3, debug=0, size=16)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A small saved model (CBOW, hs and ns) and the vectors its run returned."""
    path = tmp_path_factory.mktemp("model") / "m.w2v"
    result = train_model(TrainOptions(train=str(TINY), save_model=str(path), hs=1, **SMALL))
    return path, result


def test_model_file_holds_the_run(model):
    path, result = model
    saved = load_model(path)
    np.testing.assert_array_equal(saved.state.syn0, result.syn0)
    assert saved.vocabulary.word_bytes == result.vocabulary.word_bytes
    np.testing.assert_array_equal(saved.vocabulary.counts, result.vocabulary.counts)
    assert saved.options.hs == 1 and saved.options.size == 16 and saved.finished
    assert saved.state.syn1.any() and saved.state.syn1neg.any()
    assert saved.state.words_done == 3 * result.vocabulary.train_words
    # the arrays are read into memory: writable, the file untouched
    before = path.read_bytes()
    saved.state.syn0[0, 0] += 1
    assert path.read_bytes() == before


def test_a_model_file_without_thread_epochs_loads_with_every_thread_at_its_epoch(model, tmp_path):
    # files written before each thread kept its own epoch have no thread_epochs array
    from word2vec_cli.training import modelfile

    path, _ = model
    loaded = modelfile.load(path)
    arrays = {name: np.asarray(array) for name, array in loaded.arrays.items() if name != "thread_epochs"}
    older = tmp_path / "older.w2v"
    modelfile.save(str(older), loaded.options, loaded.meta, arrays)
    saved = load_model(older)
    assert saved.state.epoch == 3 and list(saved.state.thread_epochs) == [3]
    assert list(load_model(path).state.thread_epochs) == [3]


def test_model_file_layout_is_as_documented(model):
    path, _ = model
    data = path.read_bytes()
    magic, length, crc = struct.unpack("<8sQI4x", data[:24])
    assert magic == b"W2VMODEL"
    header = json.loads(data[24:24 + length])
    assert header["version"] == 1 and header["format"] == "word2vec_cli model"
    assert header["options"]["size"] == 16 and "syn0" in header["arrays"]
    entry = header["arrays"]["syn0"]
    assert entry["offset"] % 64 == 0 and entry["dtype"] == "<f4"
    syn0 = np.frombuffer(data, "<f4", count=entry["nbytes"] // 4, offset=entry["offset"])
    np.testing.assert_array_equal(syn0.reshape(entry["shape"]), load_model(path).state.syn0)


def _corrupt(data, case, header_end):
    if case == "truncated":
        return data[:len(data) - 100]
    if case == "truncated-header":
        return data[:40]
    if case == "array-byte":  # a byte inside the last array (not the padding before it)
        arrays = json.loads(data[24:header_end])["arrays"]
        last = max(arrays.values(), key=lambda entry: entry["offset"])
        at = last["offset"] + last["nbytes"] - 1
        return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]
    if case == "header-byte":
        return data[:30] + bytes([data[30] ^ 1]) + data[31:]
    if case == "foreign":
        return b"3 2\nthe 0.1 0.2\n"
    if case == "empty":
        return b""
    if case == "newer":
        header = data[24:header_end].replace(b'"version": 1', b'"version": 9')
        import zlib
        return data[:8] + struct.pack("<QI4x", len(header), zlib.crc32(header)) + header + data[header_end:]
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["truncated", "truncated-header", "array-byte", "header-byte", "foreign",
                                  "empty", "newer"])
def test_a_bad_model_file_is_one_line_and_status_1(model, tmp_path, case):
    path, _ = model
    data = path.read_bytes()
    header_end = 24 + struct.unpack("<Q", data[8:16])[0]
    bad = tmp_path / "bad.w2v"
    bad.write_bytes(_corrupt(data, case, header_end))
    with pytest.raises(Word2VecError):
        load_model(bad)
    for flag in ("-resume", "-init-model"):
        result = run_cli(flag, bad, "-train", TINY, "-output", tmp_path / "v.txt", "-debug", 0)
        err = result.stderr.decode()
        assert result.returncode == 1, err
        assert err.count("\n") == 1 and "Traceback" not in err and "model" in err
    assert not (tmp_path / "v.txt").exists()


def test_missing_model_file(tmp_path):
    result = run_cli("-resume", tmp_path / "nothing.w2v", "-output", tmp_path / "v.txt")
    assert result.returncode == 1 and result.stderr.decode().count("\n") == 1


def _interrupt_after_epoch(monkeypatch, epoch):
    """Make the epoch checkpoint of ``epoch`` act as if Ctrl-C came right after it."""
    write = Checkpoints.write

    def write_then_stop(self, run, why="checkpoint"):
        took = write(self, run, why)
        if run.state.epoch == epoch and why == "checkpoint":
            raise KeyboardInterrupt
        return took

    monkeypatch.setattr(Checkpoints, "write", write_then_stop)


@pytest.mark.parametrize("flags", [dict(cbow=1, hs=1, negative=3), dict(cbow=0, hs=0, negative=4)])
def test_resume_at_an_epoch_boundary_is_bit_identical(tmp_path, monkeypatch, flags):
    from word2vec_cli.training.run import TrainingInterrupted

    whole = train_model(TrainOptions(train=str(TINY), **SMALL, **flags)).syn0
    checkpoint = tmp_path / "ck.w2v"
    _interrupt_after_epoch(monkeypatch, 1)
    with pytest.raises(TrainingInterrupted):
        train_model(TrainOptions(train=str(TINY), checkpoint=str(checkpoint), **SMALL, **flags))
    assert load_model(checkpoint).state.epoch == 1
    monkeypatch.undo()
    resumed = train_model(TrainOptions(resume=str(checkpoint), debug=0))
    np.testing.assert_array_equal(resumed.syn0, whole)
    assert resumed.words_trained == 2 * resumed.vocabulary.train_words


def test_ctrl_c_writes_a_checkpoint_and_the_resumed_run_is_bit_identical(tmp_path):
    corpus = tmp_path / "big.txt"
    corpus.write_bytes(TINY.read_bytes() * 20)
    flags = ["-train", corpus, "-threads", 1, "-iter", 20, "-cbow", 0, "-size", 20, "-binary", 1]
    whole, resumed, checkpoint = tmp_path / "whole.bin", tmp_path / "resumed.bin", tmp_path / "ck.w2v"
    process = subprocess.Popen([sys.executable, "-m", "word2vec_cli", *map(str, flags), "-debug", "1",
                                "-checkpoint", str(checkpoint), "-checkpoint-every", "1000", "-output",
                                str(tmp_path / "never.bin")], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        for line in process.stderr:
            if line.startswith(b"Training"):
                break
        time.sleep(1.5)
        process.send_signal(signal.SIGINT)
        err = process.stderr.read().decode()
        status = process.wait(timeout=60)
    finally:
        process.kill()
    assert status == 130, err
    assert "checkpoint written to" in err and "Traceback" not in err
    saved = load_model(checkpoint)
    assert 0 < saved.state.words_done < 20 * saved.vocabulary.train_words
    assert not (tmp_path / "never.bin").exists()
    result = run_cli("-resume", checkpoint, "-output", resumed, "-binary", 1, "-debug", 0)
    assert result.returncode == 0, result.stderr
    assert run_cli(*flags, "-output", whole, "-debug", 0).returncode == 0
    assert whole.read_bytes() == resumed.read_bytes()


def test_minute_checkpoints_do_not_change_the_vectors(tmp_path, monkeypatch):
    from word2vec_cli.training import run

    monkeypatch.setattr(run, "WATCH_INTERVAL", 0.002)  # ticks (and so checkpoints) come often
    text = tmp_path / "c.txt"
    text.write_bytes(TINY.read_bytes() * 4)
    flags = dict(train=str(text), cbow=0, hs=1, negative=2, threads=1, iter=3, debug=0, size=16)
    plain = train_model(TrainOptions(**flags)).syn0
    checkpoint = tmp_path / "ck.w2v"
    written = []
    original = Checkpoints.write

    def count(self, run, why="checkpoint"):
        written.append(run.state.words_done)
        return original(self, run, why)

    monkeypatch.setattr(Checkpoints, "write", count)
    checkpointed = train_model(TrainOptions(checkpoint=str(checkpoint), checkpoint_every="0.00001m", **flags))
    assert len(written) >= 2
    np.testing.assert_array_equal(checkpointed.syn0, plain)
    assert load_model(checkpoint).finished


def test_resume_refuses_other_threads_and_other_text(model, tmp_path):
    path, _ = model
    result = run_cli("-resume", path, "-threads", 3, "-output", tmp_path / "v.txt")
    assert result.returncode == 2 and b"-threads" in result.stderr
    other = tmp_path / "other.txt"
    other.write_bytes(TINY.read_bytes()[:5000])
    result = run_cli("-resume", path, "-train", other, "-output", tmp_path / "v.txt")
    assert result.returncode == 1 and b"not the text" in result.stderr
    result = run_cli("-resume", path, "-size", 50, "-output", tmp_path / "v.txt")
    assert result.returncode == 2 and b"-size 50 differs" in result.stderr


def test_bad_checkpoint_every(tmp_path):
    result = run_cli("-train", TINY, "-checkpoint", tmp_path / "c.w2v", "-checkpoint-every", "often")
    assert result.returncode == 2 and b"-checkpoint-every" in result.stderr


def test_the_text_kept_beside_the_checkpoint_resumes_without_the_text(tmp_path, monkeypatch):
    from word2vec_cli.training.checkpoint import tokens_path
    from word2vec_cli.training.run import TrainingInterrupted

    text = tmp_path / "c.txt"
    text.write_bytes(TINY.read_bytes())
    flags = dict(cbow=0, hs=1, negative=2, **SMALL)
    whole = train_model(TrainOptions(train=str(text), **flags)).syn0
    checkpoint = tmp_path / "ck.w2v"
    _interrupt_after_epoch(monkeypatch, 2)
    with pytest.raises(TrainingInterrupted):
        train_model(TrainOptions(train=str(text), checkpoint=str(checkpoint), **flags))
    monkeypatch.undo()
    kept = tokens_path(checkpoint)
    assert os.path.getsize(kept) == 4 * load_model(checkpoint).meta["n_tokens"]
    text.unlink()  # the text is gone: the kept tokens are enough
    resumed = train_model(TrainOptions(resume=str(checkpoint), checkpoint=str(checkpoint), debug=0))
    np.testing.assert_array_equal(resumed.syn0, whole)
    assert not os.path.exists(kept)  # the run completed: the kept text goes


def test_a_damaged_kept_text_is_not_used(tmp_path, monkeypatch):
    from word2vec_cli.training.checkpoint import tokens_path
    from word2vec_cli.training.run import TrainingInterrupted

    checkpoint = tmp_path / "ck.w2v"
    _interrupt_after_epoch(monkeypatch, 1)
    with pytest.raises(TrainingInterrupted):
        train_model(TrainOptions(train=str(TINY), checkpoint=str(checkpoint), **SMALL))
    monkeypatch.undo()
    kept = tokens_path(checkpoint)
    data = bytearray(open(kept, "rb").read())
    data[100] ^= 1
    open(kept, "wb").write(bytes(data))
    whole = train_model(TrainOptions(train=str(TINY), **SMALL)).syn0
    resumed = train_model(TrainOptions(resume=str(checkpoint), debug=0))  # reads the text instead
    np.testing.assert_array_equal(resumed.syn0, whole)
