"""Watching a run: the training loss, progress lines, the JSON-lines log, per-epoch
evaluation, and the plot and map tools."""

import io
import json
import math

import numpy as np
import pytest

from conftest import GOLDEN, run_cli
from word2vec_cli.model.options import TrainOptions

TINY = GOLDEN / "tiny-corpus.txt"
MASK = (1 << 64) - 1


def _next(r):
    return (r * 25214903917 + 11) & MASK


def _numpy_objective(tokens, syn0, syn1, syn1neg, table, codes, points, lengths, cbow, hs, negative, window):
    """Replay one epoch of one thread with frozen weights (no subsampling, so the
    generator draws only window shrinks and negatives) and return the objective:
    the sum over every trained output of -log sigmoid(+-score), and the number of
    centre words trained."""
    n_words = syn0.shape[0]
    total = 0.0
    r = 0  # thread 0, seed 0
    sentences, current = [], []
    for t in tokens:
        if t == 0:
            sentences.append(current)
            current = []
        else:
            current.append(int(t))
    if current:
        sentences.append(current)

    def neg_loss(h, word, r):
        loss = -math.log(1 / (1 + math.exp(-float(h @ syn1neg[word]))))
        for _ in range(negative):
            r = _next(r)
            target = int(table[(r >> 16) % len(table)])
            if target == 0:
                target = r % (n_words - 1) + 1
            if target != word:
                loss += -math.log(1 / (1 + math.exp(float(h @ syn1neg[target]))))
        return loss, r

    def hs_loss(h, word):
        loss = 0.0
        for d in range(lengths[word]):
            z = float(h @ syn1[points[word, d]])
            loss += -math.log(1 / (1 + math.exp(-z if codes[word, d] == 0 else z)))
        return loss

    positions = 0
    for sentence in sentences:
        if not sentence:  # the reference "trains" one position of an empty sentence:
            r = _next(r)  # its window shrink is drawn, nothing else happens
            positions += 1
        for i, word in enumerate(sentence):
            positions += 1
            r = _next(r)
            shrink = r % window
            context = [sentence[p] for p in range(i - window + shrink, i + window + 1 - shrink)
                       if p != i and 0 <= p < len(sentence)]
            if cbow:
                if not context:
                    continue
                h = syn0[context].astype(np.float64).mean(axis=0)
                if hs:
                    total += hs_loss(h, word)
                if negative:
                    loss, r = neg_loss(h, word, r)
                    total += loss
            else:
                for c in context:
                    h = syn0[c].astype(np.float64)
                    if hs:
                        total += hs_loss(h, word)
                    if negative:
                        loss, r = neg_loss(h, word, r)
                        total += loss
    return total, positions


@pytest.mark.parametrize("flags", [dict(cbow=1, hs=0, negative=3), dict(cbow=0, hs=1, negative=0),
                                   dict(cbow=1, hs=1, negative=0), dict(cbow=0, hs=0, negative=3)])
def test_the_loss_of_a_tiny_run_is_the_objective_computed_with_numpy(tmp_path, flags):
    from word2vec_cli.text import corpus
    from word2vec_cli.training.run import TrainingRun

    text = tmp_path / "c.txt"
    text.write_bytes(b"".join(TINY.read_bytes().splitlines(keepends=True)[:150]))
    # a learning rate so small that the weights stay put: the loss is then the
    # objective at those weights, which numpy computes independently
    opts = TrainOptions(train=str(text), threads=1, iter=1, debug=0, size=12, window=2, sample=0,
                        alpha=1e-12, **flags).resolved()
    vocabulary, tokens = corpus.encode(str(text), opts.min_count)
    with tokens:
        run = TrainingRun(opts, vocabulary, tokens, track_loss=True)
        rng = np.random.default_rng(5)
        for matrix in (run.state.syn0, run.state.syn1, run.state.syn1neg):
            matrix[:] = rng.normal(0, 0.4, matrix.shape).astype(np.float32)
        syn0, syn1, syn1neg = run.state.syn0.copy(), run.state.syn1.copy(), run.state.syn1neg.copy()
        run.train()
        token_array = np.array(tokens.array())
    bounds = run.bounds

    class Table:  # the reference's table, read through its run boundaries
        def __getitem__(self, position):
            return np.searchsorted(bounds, position, "right") - 1

        def __len__(self):
            return int(bounds[-1])

    expected, positions = _numpy_objective(token_array, syn0, syn1, syn1neg, Table(), run.codes, run.points, run.code_lengths,
                                opts.cbow, opts.hs, opts.negative, opts.window)
    assert expected > 100
    assert run.state.loss == pytest.approx(expected, rel=2e-4)
    assert run.state.loss_words == positions >= np.count_nonzero(token_array)


def test_loss_tracking_is_on_with_a_log_or_an_evaluation_and_off_otherwise():
    assert not TrainOptions(train="x").tracks_loss
    assert TrainOptions(train="x", log="run.jsonl").tracks_loss
    assert TrainOptions(train="x", eval="q.txt").tracks_loss
    assert not TrainOptions(train="x", log="run.jsonl", loss=0).tracks_loss
    assert TrainOptions(train="x", loss=1).tracks_loss


class _FakeState:
    def __init__(self):
        self.words_done = 0
        self.loss = 0.0
        self.loss_words = 0
        self.epoch = 0
        self.alphas = np.array([0.025], np.float32)


class _FakeRun:
    def __init__(self):
        self.state = _FakeState()
        self.track_loss = True
        self.train_words = 1000
        self.total_words = 3000
        self.vocabulary = ["a"] * 10
        self.opts = TrainOptions(train="x", threads=1, iter=3)

    def epoch_figures(self, epoch):
        return {"words": 1000, "loss": 2400.0, "loss_words": 1200, "seconds": 0.5, "words_per_second": 2000.0,
                "alpha": 0.02, "end": None}


def test_progress_off_a_terminal_is_plain_lines_with_loss_alpha_speed_and_eta(monkeypatch, tmp_path):
    from word2vec_cli.training import progress
    from word2vec_cli.training.log import TrainingLog, read_log

    monkeypatch.setattr(progress, "PLAIN_EVERY", 0.0)
    run = _FakeRun()
    stream = io.StringIO()
    log = TrainingLog(str(tmp_path / "run.jsonl"))
    reporter = progress.Reporter(run, show=True, log=log, stream=stream, terminal=False)
    for step in range(1, 4):
        run.state.words_done = 500 * step
        run.state.loss += 2.0 * 400  # 400 trained words at a loss of 2 each
        run.state.loss_words += 400
        reporter.tick()
    run.state.epoch = 1
    reporter.epoch(lambda: {"pairs": {"pairs_used": 3, "pairs_skipped": 0, "pearson": 0.5, "spearman": 0.25}})
    reporter.end()
    log.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4 and all("\r" not in line and "\x1b" not in line for line in lines)
    assert lines[0].startswith("Training:") and "loss 2.0000" in lines[0] and "alpha 0.025" in lines[0]
    assert "words/s/thread" in lines[0] and "ETA" in lines[-2]
    assert lines[-1].startswith("Epoch 1/3") and "spearman 0.2500" in lines[-1]
    records = read_log(str(tmp_path / "run.jsonl"))
    assert [r["event"] for r in records] == ["start", "interval", "interval", "interval", "epoch", "end"]
    for record in records[1:]:
        assert {"epoch", "words", "alpha", "loss", "words_per_second", "seconds", "peak_memory_mb"} <= set(record)
    assert records[1]["loss"] == pytest.approx(2.0) and records[4]["pairs"]["spearman"] == 0.25


def test_a_run_with_log_and_evaluations_writes_a_parsable_log(tmp_path):
    from word2vec_cli.training.log import read_log

    questions = tmp_path / "q.txt"
    questions.write_text(": family\nhe she his her\nthe a of in\n")
    pairs = tmp_path / "p.tsv"
    pairs.write_text("the\ta\t5.0\nof\tin\t3.0\nhe\tshe\t8.0\n")
    log = tmp_path / "run.jsonl"
    done = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-iter", "2", "-threads", "2", "-size", "10",
                   "-log", log, "-eval", questions, "-eval-pairs", pairs)
    assert done.returncode == 0, done.stderr
    records = read_log(str(log))
    epochs = [r for r in records if r["event"] == "epoch"]
    assert [r["epoch"] for r in epochs] == [1, 2]
    for record in epochs:
        assert record["loss"] > 0 and record["analogy"]["questions_total"] == 2
        assert record["pairs"]["pairs_used"] == 3
    assert records[-1]["event"] == "end" and records[-1]["analogy"] == epochs[-1]["analogy"]
    # stderr (not a terminal here) has the evaluation of each epoch on plain lines
    stderr = done.stderr.decode()
    assert stderr.count("Epoch ") == 2 and "analogy" in stderr and "\r" not in stderr


def test_bad_evaluation_files_fail_in_one_line_before_training(tmp_path):
    empty = tmp_path / "q.txt"
    empty.write_text(": nothing\n")
    done = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-eval", empty)
    assert done.returncode == 1 and b"no analogy question" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    done = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-eval-pairs", tmp_path / "missing.tsv")
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    done = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-quality", "fast")
    assert done.returncode == 2 and b"-quality" in done.stderr


def _write_log(path, losses, accuracies):
    from word2vec_cli.training.log import TrainingLog

    log = TrainingLog(str(path))
    log.write("start", threads=1)
    for k, loss in enumerate(losses, 1):
        log.write("interval", epoch=k - 0.5, words=k, alpha=0.01, loss=loss + 0.5, words_per_second=1.0,
                  seconds=k, peak_memory_mb=1.0)
        log.write("epoch", epoch=k, words=k, alpha=0.01, loss=loss, words_per_second=1.0, seconds=k,
                  peak_memory_mb=1.0, analogy={"total": {"accuracy": accuracies[k - 1]}, "questions_total": 5})
    log.close()


def test_plot_writes_a_png_of_several_runs(tmp_path):
    pytest.importorskip("matplotlib")
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    _write_log(first, [3.0, 2.5, 2.2], [1.0, 5.0, 7.0])
    _write_log(second, [3.2, 2.4, 2.0], [2.0, 6.0, 9.0])
    output = tmp_path / "run.png"
    done = run_cli("plot", first, second, "-output", output)
    assert done.returncode == 0, done.stderr
    assert output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    done = run_cli("plot", bad, "-output", tmp_path / "x.png")
    assert done.returncode == 1 and b"line 1" in done.stderr and not (tmp_path / "x.png").exists()


def test_map_projects_with_pca_and_draws_the_pairs_of_a_section(tmp_path):
    pytest.importorskip("matplotlib")
    from word2vec_cli.plots import pca_2d, section_pairs

    # points on a plane inside 5 dimensions come back with their distances kept
    rng = np.random.default_rng(1)
    plane = rng.normal(size=(2, 5))
    plane, _ = np.linalg.qr(plane.T)
    coords = rng.normal(size=(8, 2)) * [3.0, 1.0]
    projected = pca_2d(coords @ plane.T + 7.0)
    distances = lambda m: np.linalg.norm(m[:, None] - m[None], axis=-1)  # noqa: E731
    np.testing.assert_allclose(distances(projected), distances(coords), atol=1e-9)

    questions = tmp_path / "q.txt"
    questions.write_text(": capitals\nParis France Rome Italy\nRome Italy Oslo Norway\n: other\na b c d\n")
    assert section_pairs(str(questions), "capitals") == [("Paris", "France"), ("Rome", "Italy"), ("Oslo", "Norway")]
    vectors = tmp_path / "v.txt"
    words = ["paris", "france", "rome", "italy", "oslo", "norway"]
    vectors.write_text("6 4\n" + "".join(f"{w} {' '.join(str(x) for x in rng.normal(size=4))}\n" for w in words))
    output = tmp_path / "map.png"
    done = run_cli("map", vectors, "-questions", questions, "-section", "capitals", "-output", output)
    assert done.returncode == 0, done.stderr
    assert output.read_bytes()[:4] == b"\x89PNG"
    done = run_cli("map", vectors, "paris", "berlin", "rome", "-output", output)
    assert done.returncode == 0 and b"berlin" in done.stderr
    done = run_cli("map", vectors, "-questions", questions, "-section", "rivers", "-output", output)
    assert done.returncode == 1 and b"capitals" in done.stderr


def test_without_matplotlib_plot_names_the_extra_in_one_line(tmp_path):
    import subprocess
    import sys

    log = tmp_path / "a.jsonl"
    _write_log(log, [3.0], [1.0])
    code = ("import sys; sys.modules['matplotlib'] = None; from word2vec_cli.cli import main; "
            f"main(['plot', {str(log)!r}, '-output', {str(tmp_path / 'x.png')!r}])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert done.returncode == 1
    assert done.stderr.decode().strip() == "word2vec plot: error: plotting needs matplotlib: pip install 'word2vec-cli[plot]'"


# -quality: each of gensim's rules against its formula


def test_clip_leaves_scores_beyond_six_untrained_and_the_reference_clamps_them():
    from word2vec_cli.kernels.steps import ns_gradient
    from word2vec_cli.model.weights import sigmoid_table

    alpha = np.float32(0.025)
    reference, gensim = sigmoid_table(), sigmoid_table(skip_beyond=True)
    np.testing.assert_array_equal(reference[:-1], gensim[:-1])
    for f, label, clamped in ((7.0, 0, -alpha), (7.0, 1, 0.0), (-7.0, 1, alpha), (-7.0, 0, 0.0)):
        assert ns_gradient(np.float32(f), np.float32(label), alpha, reference) == np.float32(clamped)
        assert ns_gradient(np.float32(f), np.float32(label), alpha, gensim) == 0
    inside = np.float32(1.5)
    assert ns_gradient(inside, np.float32(1), alpha, gensim) == ns_gradient(inside, np.float32(1), alpha, reference)
    expected = (1 - reference[int((1.5 + 6) * 83)]) * alpha  # the reference's table lookup
    assert ns_gradient(inside, np.float32(1), alpha, gensim) == pytest.approx(expected, rel=1e-6)


def test_floor_is_gensims_linear_rate_down_to_1e_4():
    from word2vec_cli.model.weights import linear_rate

    for done in (0, 250, 500, 999, 1000, 1200):
        expected = 0.025 - (0.025 - 1e-4) * min(done / 1000, 1.0)
        assert linear_rate(np.float32(0.025), np.float32(1e-4), done, 1000) == pytest.approx(expected, rel=1e-5)


def test_nos_takes_end_of_sentence_out_of_the_negative_table(tmp_path):
    from word2vec_cli.text import corpus
    from word2vec_cli.training.run import TrainingRun

    runs = {}
    for quality in ("0", "nos"):
        opts = TrainOptions(train=str(TINY), threads=1, debug=0, quality=quality).resolved()
        vocabulary, tokens = corpus.encode(str(TINY), opts.min_count)
        with tokens:
            runs[quality] = TrainingRun(opts, vocabulary, tokens)
    share = lambda run, word: (run.bounds[word + 1] - run.bounds[word]) / run.bounds[-1]  # noqa: E731
    assert share(runs["0"], 0) > 0.01  # </s> is the most frequent "word"
    assert share(runs["nos"], 0) < 1e-7
    # the other words keep their relative shares
    assert share(runs["nos"], 5) / share(runs["nos"], 9) == pytest.approx(share(runs["0"], 5) / share(runs["0"], 9),
                                                                           rel=1e-5)


@pytest.mark.parametrize("quality, expected", [("0", 0.5), ("share", 0.75)])
def test_share_decays_the_rate_by_each_threads_share_of_the_epoch(tmp_path, quality, expected):
    from word2vec_cli.text import corpus
    from word2vec_cli.training.run import TrainingRun

    text = tmp_path / "c.txt"
    text.write_bytes(TINY.read_bytes() * 24)
    opts = TrainOptions(train=str(text), threads=2, iter=2, debug=0, size=10, quality=quality).resolved()
    vocabulary, tokens = corpus.encode(str(text), opts.min_count)
    seen = []
    with tokens:
        run = TrainingRun(opts, vocabulary, tokens)
        run.train(on_epoch=lambda run: seen.append(run.state.alphas.copy()), meet=True)
    # at the end of epoch 1 of 2 the reference's rate has fallen by half; gensim's
    # corpus_file workers have each counted only their half of the epoch (the rates
    # are those of each thread's last publication, up to 10,000 words earlier). The
    # rates follow the words of both threads, so only the thread that finished last
    # saw all of them (on a busy machine the other may finish well before it)
    assert seen[0].min() / opts.alpha == pytest.approx(expected, abs=0.04)


def test_init_doubles_the_reference_initial_range_and_quality_0_keeps_it(tmp_path):
    from word2vec_cli.model.weights import initial_vectors
    from word2vec_cli.text import corpus
    from word2vec_cli.training.run import TrainingRun

    states = {}
    for quality in ("0", "init"):
        opts = TrainOptions(train=str(TINY), threads=1, debug=0, size=16, quality=quality).resolved()
        vocabulary, tokens = corpus.encode(str(TINY), opts.min_count)
        with tokens:
            states[quality] = TrainingRun(opts, vocabulary, tokens).state.syn0
    reference = initial_vectors(len(vocabulary), 16, 1)
    np.testing.assert_array_equal(states["0"], reference)
    np.testing.assert_array_equal(states["init"], 2 * reference)
    assert np.abs(states["init"]).max() <= 1 / 16 and np.abs(states["init"]).max() > 0.9 / 16


def test_sample_takes_the_threshold_over_the_words_without_end_of_sentence():
    from word2vec_cli.text import corpus
    from word2vec_cli.training.run import TrainingRun

    keeps = {}
    for quality in ("0", "sample"):
        opts = TrainOptions(train=str(TINY), threads=1, debug=0, quality=quality).resolved()
        vocabulary, tokens = corpus.encode(str(TINY), opts.min_count)
        with tokens:
            keeps[quality] = TrainingRun(opts, vocabulary, tokens).keep
    counts = vocabulary.counts.astype(np.float64)
    for quality, words in (("0", vocabulary.train_words), ("sample", vocabulary.train_words - counts[0])):
        threshold = 1e-3 * words
        expected = (np.sqrt(counts[1:] / threshold) + 1) * threshold / counts[1:]
        np.testing.assert_allclose(keeps[quality][1:], expected, rtol=1e-5)
    assert (keeps["sample"][1:] < keeps["0"][1:]).all()
