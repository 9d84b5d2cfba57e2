"""End-to-end training: fidelity to the reference, determinism, threads, interruption."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import GOLDEN, run_cli
from word2vec_cli.vectors import read as vector_files
from word2vec_cli.model.options import TrainOptions
from word2vec_cli.training.driver import train_model

TINY = GOLDEN / "tiny-corpus.txt"

# golden file -> flags it was made with (all: -threads 1, defaults otherwise)
REFERENCE_MODELS = {
    "tiny-cbow-ns.bin": dict(cbow=1, negative=5, hs=0, iter=1),
    "tiny-sg-ns.bin": dict(cbow=0, negative=5, hs=0, iter=1),
    "tiny-cbow-hs.bin": dict(cbow=1, negative=0, hs=1, iter=1),
    "tiny-sg-hs.bin": dict(cbow=0, negative=0, hs=1, iter=1),
    "tiny-cbow-both.bin": dict(cbow=1, negative=5, hs=1, iter=1),
    "tiny-sg-both.bin": dict(cbow=0, negative=5, hs=1, iter=1),
    "tiny-cbow-ns-iter3.bin": dict(cbow=1, negative=5, hs=0, iter=3),
    "tiny-sg-ns-w8-s1e-4.txt": dict(cbow=0, negative=3, hs=0, window=8, sample=1e-4, size=20, min_count=3,
                                    iter=2),
}


@pytest.mark.parametrize("name", sorted(REFERENCE_MODELS))
def test_single_thread_vectors_track_the_reference(name):
    result = train_model(TrainOptions(train=str(TINY), threads=1, debug=0, **REFERENCE_MODELS[name]))
    reference = vector_files.load(GOLDEN / name)
    assert [w.encode("utf-8", "surrogateescape") for w in reference.words] == result.vocabulary.word_bytes
    # a faithful run lands near 1e-4; the sigmoid factor 83.33 instead of 83 gives 2e-2
    assert np.abs(reference.vectors - result.syn0).max() < 1e-3


def test_sigmoid_factor_matters(monkeypatch):
    """The fidelity bound is tight enough to catch a change as small as the table factor."""
    reference = vector_files.load(GOLDEN / "tiny-cbow-ns.bin")
    faithful = train_model(TrainOptions(train=str(TINY), threads=1, debug=0, iter=1)).syn0
    assert np.abs(reference.vectors - faithful).max() < 1e-3
    # shifting the sigmoid table by a third of a step is the same error as 83.33
    from word2vec_cli.model import weights

    shifted = weights.sigmoid_table()
    shifted[:1000] = 1 / (1 + np.exp(-((np.arange(1000) + 0.33) / 1000 * 2 - 1) * 6))
    monkeypatch.setattr(weights, "sigmoid_table", lambda skip_beyond=False: shifted.astype(np.float32))
    perturbed = train_model(TrainOptions(train=str(TINY), threads=1, debug=0, iter=1)).syn0
    assert np.abs(reference.vectors - perturbed).max() > 1e-3


def test_classes_match_the_reference_on_the_reference_vectors():
    from word2vec_cli.vectors.classes import kmeans_classes

    reference = vector_files.load(GOLDEN / "tiny-cbow-ns.bin")
    expected = [int(line.split()[1]) for line in (GOLDEN / "tiny-classes.txt").read_bytes().splitlines()]
    assert kmeans_classes(reference.vectors, 10).tolist() == expected


def test_classes_output_format(tmp_path):
    out = tmp_path / "classes.txt"
    result = run_cli("-train", TINY, "-output", out, "-classes", 10, "-threads", 1, "-iter", 1, "-debug", 0)
    assert result.returncode == 0, result.stderr
    lines = out.read_bytes().splitlines()
    golden = (GOLDEN / "tiny-classes.txt").read_bytes().splitlines()
    assert [line.split()[0] for line in lines] == [line.split()[0] for line in golden]
    labels = [int(line.split()[1]) for line in lines]
    assert set(labels) <= set(range(10)) and len(set(labels)) > 5
    agreement = np.mean([a == b for a, b in zip(lines, golden)])
    assert agreement > 0.6  # k-means amplifies the ~1e-4 differences of the vectors


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path):
    outs = [tmp_path / f"v{i}.bin" for i in range(3)]
    for out, seed in zip(outs, (0, 0, 7)):
        result = run_cli("-train", TINY, "-output", out, "-threads", 1, "-iter", 2, "-binary", 1, "-debug", 0,
                         "-seed", seed, "-cbow", 0)
        assert result.returncode == 0, result.stderr
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert outs[0].read_bytes() != outs[2].read_bytes()


@pytest.mark.parametrize("cbow", [1, 0])
def test_private_hot_nodes_change_nothing_on_one_thread(monkeypatch, cbow):
    # with one thread, training the top Huffman nodes in private rows and merging them
    # back every few words must give the shared-row result bit for bit
    from word2vec_cli.kernels import thread
    from word2vec_cli.training import run

    flags = dict(train=str(TINY), threads=1, debug=0, iter=2, cbow=cbow, hs=1, negative=2)
    plain = train_model(TrainOptions(**flags)).syn0
    monkeypatch.setattr(run, "hot_nodes_per_thread", lambda opts, n_words: 7)
    monkeypatch.setattr(thread, "HOT_MERGE_EVERY", 5)
    private = train_model(TrainOptions(**flags)).syn0
    np.testing.assert_array_equal(private, plain)


def test_private_hot_nodes_with_a_vocabulary_smaller_than_the_hot_set(tmp_path):
    # with 2 threads and hs the nodes nearest the root are trained in private rows;
    # a vocabulary of 9 words has only 8 inner nodes, fewer than HOT_NODES: the run
    # must stay within syn1 and still learn (a and b share their contexts, c does not)
    from word2vec_cli.kernels.thread import HOT_NODES

    corpus = tmp_path / "c.txt"
    corpus.write_text("x a y\nx b y\np c q\np d q\n" * 2000)
    result = train_model(TrainOptions(train=str(corpus), threads=2, hs=1, negative=0, iter=3, debug=0,
                                      size=10, min_count=1, sample=0))
    assert len(result.vocabulary) - 2 < HOT_NODES
    unit = result.syn0 / np.linalg.norm(result.syn0, axis=1, keepdims=True)
    index = {w: k for k, w in enumerate(result.vocabulary.words)}
    same, other = unit[index["a"]] @ unit[index["b"]], unit[index["a"]] @ unit[index["c"]]
    assert np.isfinite(result.syn0).all() and same > other + 0.3


def _similarities(syn0, n=100):
    """Cosines between the ``n`` most frequent words (upper triangle), for comparing runs."""
    rows = syn0[1:n + 1].astype(np.float64)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows @ rows.T)[np.triu_indices(n, 1)]


@pytest.mark.parametrize("flags", [dict(cbow=1, hs=1, negative=3), dict(cbow=0, hs=1, negative=0)])
def test_several_threads_train_every_epoch(flags):
    from word2vec_cli.model.weights import initial_vectors

    threaded = train_model(TrainOptions(train=str(TINY), threads=3, debug=0, iter=4, **flags))
    # every thread trains every epoch (no reference end-of-file defect): each reads its
    # train_words / 3 words and, as the reference's threads, the rest of the sentence
    # where it passes them (at most a line of TINY each)
    words = threaded.vocabulary.train_words
    longest_line = max(len(line.split()) for line in TINY.read_bytes().splitlines()) + 1
    assert 4 * words <= threaded.words_trained <= 4 * (words + 3 * longest_line)
    # and the training is real: the words' similarities have left those of the initial
    # vectors (a kernel that trains nothing keeps them: correlation 1) and agree with a
    # one-thread run of the same epochs (0.45-0.6; one epoch of 3 threads gives 0.0-0.2)
    initial = _similarities(initial_vectors(len(threaded.vocabulary), 100, np.uint64(1)))
    assert np.corrcoef(initial, _similarities(threaded.syn0))[0, 1] < 0.2
    single = train_model(TrainOptions(train=str(TINY), threads=1, debug=0, iter=4, **flags))
    assert np.corrcoef(_similarities(single.syn0), _similarities(threaded.syn0))[0, 1] > 0.35


def test_output_formats_byte_layout(tmp_path):
    text, binary = tmp_path / "v.txt", tmp_path / "v.bin"
    common = ["-train", TINY, "-threads", 1, "-iter", 1, "-debug", 0, "-size", 7, "-min-count", 20]
    assert run_cli(*common, "-output", text, "-binary", 0).returncode == 0
    assert run_cli(*common, "-output", binary, "-binary", 1).returncode == 0
    vocabulary = train_model(TrainOptions(train=str(TINY), threads=1, iter=1, debug=0, size=7, min_count=20))
    syn0, words = vocabulary.syn0, vocabulary.vocabulary.word_bytes
    expected_text = b"%d 7\n" % len(words) + b"".join(
        w + b" " + b"".join(b"%f " % x for x in row.astype(np.float64)) + b"\n" for w, row in zip(words, syn0))
    assert text.read_bytes() == expected_text
    expected_binary = b"%d 7\n" % len(words) + b"".join(
        w + b" " + row.astype("<f4").tobytes() + b"\n" for w, row in zip(words, syn0))
    assert binary.read_bytes() == expected_binary


def test_standard_input_and_compressed_corpus(tmp_path):
    import gzip

    from_file, from_stdin, from_gz = (tmp_path / n for n in ("a.bin", "b.bin", "c.bin"))
    common = ["-threads", 1, "-iter", 1, "-debug", 0, "-binary", 1]
    assert run_cli("-train", TINY, "-output", from_file, *common).returncode == 0
    result = run_cli("-train", "-", "-output", from_stdin, *common, input=TINY.read_bytes())
    assert result.returncode == 0, result.stderr
    gz = tmp_path / "corpus.txt.gz"
    gz.write_bytes(gzip.compress(TINY.read_bytes()))
    assert run_cli("-train", gz, "-output", from_gz, *common).returncode == 0
    assert from_file.read_bytes() == from_stdin.read_bytes() == from_gz.read_bytes()


def test_api_train_and_load(tmp_path):
    import word2vec_cli

    out = tmp_path / "v.bin"
    vectors = word2vec_cli.train(TINY, output=out, binary=1, threads=1, iter=1, size=12)
    assert vectors.vectors.dtype == np.float32 and vectors.vectors.shape == (627, 12)
    assert vectors.words[0] == "</s>"
    again = word2vec_cli.load(out)
    assert again.words == vectors.words
    assert np.array_equal(again.vectors, vectors.vectors)
    with pytest.raises(TypeError):
        word2vec_cli.train(TINY, sizee=3)


def test_progress_and_summary_on_stderr(tmp_path):
    result = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-threads", 2, "-iter", 1, "-debug", 2)
    assert result.returncode == 0
    assert result.stdout == b""
    err = result.stderr.decode()
    assert "Vocab size: 627" in err and "words/s" in err and "Training" in err


def test_debug_zero_is_silent(tmp_path):
    result = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-threads", 1, "-iter", 1, "-debug", 0)
    assert result.returncode == 0 and result.stderr == b"" and result.stdout == b""


def test_vocabulary_only_without_output(tmp_path):
    result = run_cli("-train", TINY, "-save-vocab", tmp_path / "v.txt", "-debug", 0)
    assert result.returncode == 0
    assert sorted(os.listdir(tmp_path)) == ["v.txt"]


def test_ctrl_c_stops_quickly_and_writes_nothing(tmp_path):
    corpus = tmp_path / "big.txt"
    corpus.write_bytes(TINY.read_bytes() * 20)
    out = tmp_path / "v.bin"
    process = subprocess.Popen([sys.executable, "-m", "word2vec_cli", "-train", str(corpus), "-output", str(out),
                                "-iter", "200", "-threads", "2", "-debug", "1", "-cbow", "0"],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        for line in process.stderr:  # wait until the training threads have started
            if line.startswith(b"Training"):
                break
        time.sleep(1.0)
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        err = process.stderr.read().decode()
        status = process.wait(timeout=60)
        elapsed = time.monotonic() - sent
    finally:
        process.kill()
    assert status == 130, err
    assert "interrupted after" in err and "Traceback" not in err
    assert elapsed < 10  # the kernels check the stop flag every 10,000 words
    assert os.listdir(tmp_path) == ["big.txt"]


def _uneven_corpus(path):
    """A text whose first half (one-word lines: nothing to train) is far quicker to
    train than its second (long sentences)."""
    quick = b"a\n" * 40000
    slow = TINY.read_bytes() * 30
    path.write_bytes(quick + slow[:len(quick) * 2])
    return path


@pytest.mark.parametrize("meet", [False, True])
def test_threads_go_on_to_their_next_epoch_unless_asked_to_meet(tmp_path, monkeypatch, meet):
    # the reference's threads never wait for each other: a thread with a quick part of
    # the text starts its next epoch at once; with meet the threads wait at each
    # epoch's end. Either way each thread has an equal part of the tokens, every
    # epoch is counted once, and a run stopped with its threads in different epochs
    # is saved and continued to exactly the words of the whole schedule
    from word2vec_cli.text import corpus
    from word2vec_cli.training import run as run_module
    from word2vec_cli.training.checkpoint import load_model, save_run
    from word2vec_cli.training.run import TrainingInterrupted, TrainingRun

    monkeypatch.setattr(run_module, "WATCH_INTERVAL", 0.001)
    text = _uneven_corpus(tmp_path / "c.txt")
    opts = TrainOptions(train=str(text), threads=2, iter=4, debug=0, size=20, cbow=0, min_count=1,
                        sample=0).resolved()
    vocabulary, tokens = corpus.encode(str(text), opts.min_count, threads=2)
    with tokens:
        run = TrainingRun(opts, vocabulary, tokens)
        n = len(run.token_array)
        # the second thread starts at half the bytes (in the slow half: past half the tokens)
        assert run.shares == [(0, n), (tokens.thread_starts[0], n)] and n // 2 < tokens.thread_starts[0] < n
        spreads, epochs = [], []

        def tick(current):
            spreads.append(int(current.state.thread_epochs.max() - current.state.thread_epochs.min()))
            if spreads[-1] >= 2 or (meet and current.state.thread_epochs.max() >= 2):
                current.stop[0] = 1

        with pytest.raises(TrainingInterrupted):
            run.train(on_tick=tick, on_epoch=lambda current: epochs.append(current.state.epoch), meet=meet)
        saved = tmp_path / "m.w2v"
        save_run(str(saved), run)
        continued = TrainingRun(opts, vocabulary, tokens, **load_model(str(saved)).run_kwargs())
        continued.train(on_epoch=lambda current: epochs.append(current.state.epoch), meet=meet)
    if meet:
        assert max(spreads) <= 1
    else:
        assert max(spreads) >= 2  # the quick thread ran ahead
    assert epochs == [1, 2, 3, 4]
    # an epoch of the first thread: train_words / 2 words and the rest of the line where it
    # passes them; of the second: from its start to the end of the text, short of its quota
    start, words = tokens.thread_starts[0], vocabulary.train_words
    epoch_words = words // 2 + 1 + n - start
    assert 0 <= continued.state.words_done - opts.iter * epoch_words <= opts.iter * 1001
    assert list(continued.state.thread_epochs) == [4, 4] and continued.state.epoch == 4


def test_the_driver_makes_threads_meet_only_for_per_epoch_work_and_gensim_rules(tmp_path, monkeypatch):
    # the reference's threads never wait for each other; an evaluation or checkpoint
    # after each epoch needs them to, and so does gensim's learning rate (-quality share)
    from word2vec_cli.training import run as run_module

    seen = []
    original = run_module.TrainingRun.train

    def spy(self, on_tick=None, on_epoch=None, meet=False):
        seen.append(meet)
        return original(self, on_tick, on_epoch, meet)

    monkeypatch.setattr(run_module.TrainingRun, "train", spy)
    questions = tmp_path / "q.txt"
    questions.write_text(": s\nthe of and to\n")
    from word2vec_cli.monitor import make_evaluator

    cases = [dict(), dict(quality="share"), dict(quality="1"), dict(quality="nos,init"), dict(eval=str(questions)),
             dict(checkpoint=str(tmp_path / "c.w2v")), dict(checkpoint=str(tmp_path / "d.w2v"), checkpoint_every="5m")]
    for extra in cases:
        opts = TrainOptions(train=str(TINY), output=str(tmp_path / "v.txt"), threads=2, iter=1, debug=0, size=8,
                            **extra)
        train_model(opts, evaluate=make_evaluator(opts.eval) if opts.eval else None)
    assert seen == [False, True, True, False, True, True, False]


@pytest.mark.parametrize("flags", [dict(cbow=1, hs=1, negative=3), dict(cbow=0, hs=0, negative=4)])
def test_a_run_stopped_between_sentences_and_continued_is_bit_identical(tmp_path, monkeypatch, flags):
    # one thread: a run stopped anywhere (the kernel stops between sentences and keeps
    # its generator, position and counts) and continued gives the uninterrupted vectors
    from word2vec_cli.text import corpus
    from word2vec_cli.training import run
    from word2vec_cli.training.run import TrainingInterrupted, TrainingRun

    monkeypatch.setattr(run, "WATCH_INTERVAL", 0.002)
    text = tmp_path / "c.txt"
    text.write_bytes(TINY.read_bytes() * 6)
    opts = TrainOptions(train=str(text), threads=1, iter=3, debug=0, size=20, **flags).resolved()
    vocabulary, tokens = corpus.encode(str(text), opts.min_count)
    with tokens:
        whole = TrainingRun(opts, vocabulary, tokens, track_loss=True)
        whole.train()
        pieces = TrainingRun(opts, vocabulary, tokens, track_loss=True)
        stops = []

        def stop_soon(run):
            if len(stops) < 3 and run.state.words_done > (stops[-1] if stops else 0):
                stops.append(run.state.words_done)
                run.stop[0] = 1

        while True:
            try:
                pieces.train(on_tick=stop_soon)
                break
            except TrainingInterrupted:
                pieces.stop[0] = 0
    assert len(stops) == 3 and 0 < stops[0] < stops[-1] < opts.iter * vocabulary.train_words
    assert any(done % vocabulary.train_words for done in stops)  # at least one stop within an epoch
    np.testing.assert_array_equal(pieces.state.syn0, whole.state.syn0)
    assert pieces.state.words_done == whole.state.words_done
    assert pieces.state.loss == pytest.approx(whole.state.loss, rel=1e-9) and whole.state.loss > 0
