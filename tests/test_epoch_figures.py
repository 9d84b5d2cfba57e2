"""Per-epoch figures of short epochs: taken at each thread's own end of an epoch,
not from the watch loop's polls (which may come after several epochs)."""

import io
import json

import numpy as np
import pytest

from conftest import GOLDEN, run_cli
from word2vec_cli.model.options import TrainOptions

TINY = GOLDEN / "tiny-corpus.txt"


@pytest.mark.parametrize("threads", [1, 2])
def test_short_epochs_each_get_their_own_words_loss_and_speed(tmp_path, threads):
    log = tmp_path / "run.jsonl"
    extra = ["-sample", "0"] if threads == 1 else []  # default subsampling with 2 threads
    done = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-iter", "4", "-threads", threads, "-size", "10",
                   "-log", log, "-debug", "2", *extra)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in log.read_text().splitlines()]
    train_words = records[0]["train_words"]
    epochs = [r for r in records if r["event"] == "epoch"]
    assert [r["epoch"] for r in epochs] == [1, 2, 3, 4]
    for record in epochs:
        assert record["loss"] is not None and record["loss"] > 0
        assert record["words_per_second"] > 0
        if threads == 1:
            assert record["words"] == train_words  # the thread reads the whole text once
        else:  # thread 0 stops at the first sentence end past train_words / 2 (the reference's rule)
            assert train_words <= record["words"] < train_words + 1000 * threads
    assert len({r["words"] for r in epochs}) == 1  # this text's sentences are short: no cut depends on sampling
    assert sum(r["words"] for r in epochs) == records[-1]["words"]
    assert [r["seconds"] for r in epochs] == sorted(r["seconds"] for r in epochs)
    lines = [line for line in done.stderr.decode().splitlines() if line.startswith("Epoch ")]
    assert len(lines) == 4 and all("loss" in line and not line.split(": ")[1].startswith("0 ") for line in lines)


class _State:
    def __init__(self):
        self.words_done = 0
        self.loss = 0.0
        self.loss_words = 0
        self.epoch = 0
        self.alphas = np.array([0.025], np.float32)


class _Run:
    def __init__(self):
        self.state = _State()
        self.track_loss = True
        self.train_words = 1000
        self.total_words = 3000
        self.vocabulary = ["a"] * 10
        self.opts = TrainOptions(train="x", threads=1, iter=3)

    def epoch_figures(self, epoch):
        return {"words": 1000, "loss": 2000.0, "loss_words": 1000, "seconds": 0.1, "words_per_second": 1e4,
                "alpha": 0.02, "end": None}


def test_an_epoch_without_evaluation_does_not_restart_the_bar_speed(monkeypatch):
    from word2vec_cli.training import progress

    clock = [100.0]
    monkeypatch.setattr(progress.time, "perf_counter", lambda: clock[0])
    run = _Run()
    reporter = progress.Reporter(run, show=True, stream=io.StringIO(), terminal=True)
    clock[0] += 0.25
    run.state.words_done = 2500  # two short epochs within one poll
    run.state.epoch = 2
    reporter.epoch()
    reporter.epoch()
    reporter.tick()  # the watch loop ticks right after counting the epochs
    assert "10k words/s/thread" in reporter.bar.postfix
    reporter.close()
