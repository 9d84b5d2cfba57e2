"""Every long-running step shows progress by one rule: a bar on a terminal, plain
lines elsewhere (a log file gets no carriage-return redraws)."""

import io

import numpy as np

from conftest import run_cli
from word2vec_cli import console
from word2vec_cli.console import StepProgress


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_plain_lines_off_a_terminal_and_a_bar_on_one(monkeypatch):
    monkeypatch.setattr(console, "PLAIN_EVERY", 0.0)
    log = io.StringIO()
    with StepProgress("Reading text", total=4096, stream=log) as progress:
        progress.update(1024)
        progress.describe("Writing")
        progress.update(3072)
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("Reading text: 1.0 kB of 4.0 kB (25.0%), ")
    assert lines[1].startswith("Writing: 4.0 kB of 4.0 kB (100.0%), ")
    assert "\r" not in log.getvalue()

    terminal = FakeTerminal()
    with StepProgress("Reading text", total=4096, stream=terminal) as progress:
        progress.update(4096)
    assert "\r" in terminal.getvalue()  # tqdm redraws in place

    quiet = io.StringIO()
    with StepProgress("Reading text", total=4096, stream=quiet, show=False) as progress:
        progress.update(4096)
    assert quiet.getvalue() == ""


def test_kmeans_rounds_are_shown_and_the_classes_are_the_one_call_result(monkeypatch, capsys):
    from word2vec_cli.vectors.classes import ROUNDS, kmeans_classes

    monkeypatch.setattr(console, "PLAIN_EVERY", 0.0)
    vectors = np.random.default_rng(3).standard_normal((300, 8)).astype(np.float32)
    shown = kmeans_classes(vectors, 7, show_progress=True)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == ROUNDS and err[-1].startswith(f"Classes (7): {ROUNDS} of {ROUNDS} rounds (100.0%), ")
    assert np.array_equal(shown, kmeans_classes(vectors, 7))


def test_long_running_commands_draw_no_bar_into_a_log(tmp_path):
    text = tmp_path / "text.txt"
    text.write_text(("new york is big and new york is old . " * 40 + "\n") * 50)
    phrased = run_cli("phrases", "-train", text, "-output", tmp_path / "phrased.txt", "-debug", "2",
                      "-min-count", "1", "-threshold", "1")
    assert phrased.returncode == 0, phrased.stderr
    assert b"\r" not in phrased.stderr
    trained = run_cli("-train", text, "-output", tmp_path / "classes.txt", "-classes", "3", "-size", "10",
                      "-min-count", "1", "-iter", "1", "-threads", "1", "-debug", "2")
    assert trained.returncode == 0, trained.stderr
    assert b"\r" not in trained.stderr
