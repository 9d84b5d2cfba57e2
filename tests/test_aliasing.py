"""One file named twice (an output that is an input, two outputs on one file) is a
usage error before any work: one line naming both flags and the path, status 2, the
files untouched."""

import os
import signal

import pytest

from word2vec_cli.errors import UsageError

CORPUS = b"the cat sat on the mat the dog sat on the log\n" * 3


def run_here(args, capsys):
    """Run ``word2vec ARGS`` in this process (the refusals need no subprocess);
    return ``(status, stderr)``."""
    from word2vec_cli.cli import main

    old = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with pytest.raises(SystemExit) as stop:
            main([str(a) for a in args])
    finally:
        for number, handler in old.items():
            signal.signal(number, handler)
    return stop.value.code, capsys.readouterr().err


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_bytes(CORPUS)
    return path


def assert_refused(status, err, *fragments):
    assert status == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "same file" in err or "only once" in err
    for fragment in fragments:
        assert fragment in err, err


@pytest.mark.parametrize("flag", ["-output", "-save-vocab", "-log", "-checkpoint", "-save-model"])
def test_an_output_onto_the_training_text_is_refused(corpus, capsys, flag):
    status, err = run_here(["-train", corpus, flag, corpus, "-size", 10, "-iter", 1, "-min-count", 1], capsys)
    assert_refused(status, err, "-train", flag, str(corpus))
    assert corpus.read_bytes() == CORPUS


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_an_output_that_links_to_the_training_text_is_refused(tmp_path, corpus, capsys, link):
    alias = tmp_path / "alias.txt"
    (os.symlink if link == "symlink" else os.link)(corpus, alias)
    status, err = run_here(["-train", corpus, "-output", alias, "-size", 10, "-min-count", 1], capsys)
    assert_refused(status, err, "-train", "-output", "alias.txt")
    assert corpus.read_bytes() == CORPUS


def test_training_text_on_standard_input_is_found_by_inode(tmp_path, corpus, capsys, monkeypatch):
    with open(corpus, "rb") as stdin:
        saved = os.dup(0)
        os.dup2(stdin.fileno(), 0)
        try:
            status, err = run_here(["-train", "-", "-output", corpus, "-min-count", 1], capsys)
        finally:
            os.dup2(saved, 0)
            os.close(saved)
    assert_refused(status, err, "standard input", str(corpus))
    assert corpus.read_bytes() == CORPUS


@pytest.mark.parametrize("flag", ["-init-model", "-read-vocab", "-init-vectors", "-eval", "-eval-pairs", "-resume"])
def test_output_onto_another_input_is_refused(tmp_path, corpus, capsys, flag):
    other = tmp_path / "input.file"
    other.write_bytes(b"something the run reads\n")
    status, err = run_here(["-train", corpus, flag, other, "-output", other], capsys)
    assert_refused(status, err, flag, "-output")
    assert other.read_bytes() == b"something the run reads\n"


@pytest.mark.parametrize("flag", ["-save-model", "-checkpoint", "-save-vocab", "-log"])
def test_two_outputs_on_one_new_path_are_refused(tmp_path, corpus, capsys, flag, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, err = run_here(["-train", corpus, "-output", "out.bin", flag, "./out.bin"], capsys)
    assert_refused(status, err, "-output", flag)
    assert not (tmp_path / "out.bin").exists()


def test_vectors_and_log_both_on_standard_output_are_refused(corpus, capsys):
    status, err = run_here(["-train", corpus, "-output", "-", "-log", "-"], capsys)
    assert_refused(status, err, "-output", "-log", "standard output")


def test_a_resumed_run_may_checkpoint_where_it_came_from(tmp_path, capsys):
    model = tmp_path / "run.w2v"
    model.write_bytes(b"not a model")
    status, err = run_here(["-resume", model, "-checkpoint", model], capsys)
    assert status == 1 and "same file" not in err  # it gets as far as reading the (bad) model


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_convert_onto_a_link_to_its_input_is_refused(tmp_path, capsys, link):
    vectors = tmp_path / "v.txt"
    vectors.write_bytes(b"2 2\na 0.1 0.2\nb 0.3 0.4\n")
    alias = tmp_path / "alias.txt"
    (os.symlink if link == "symlink" else os.link)(vectors, alias)
    status, err = run_here(["convert", vectors, alias], capsys)
    assert_refused(status, err, "IN", "OUT")
    assert vectors.read_bytes() == b"2 2\na 0.1 0.2\nb 0.3 0.4\n"


def test_segment_onto_its_input_is_refused(tmp_path, corpus, capsys):
    alias = tmp_path / "alias.txt"
    os.symlink(corpus, alias)
    status, err = run_here(["segment", corpus, "-output", alias, "-method", "char", "-debug", 0], capsys)
    assert_refused(status, err, "FILES", "-output")
    assert corpus.read_bytes() == CORPUS


def test_plot_onto_its_log_is_refused(tmp_path, capsys):
    log = tmp_path / "run.log"
    log.write_bytes(b'{"event":"start"}\n')
    status, err = run_here(["plot", log, "-output", log], capsys)
    assert_refused(status, err, "LOG", "-output")
    assert log.read_bytes() == b'{"event":"start"}\n'


def test_accuracy_with_vectors_and_questions_both_on_standard_input_is_refused(capsys):
    status, err = run_here(["accuracy", "-"], capsys)
    assert_refused(status, err, "FILE", "--questions", "standard input")


def test_check_distinct_fifo_dangling_link_and_distinct_paths(tmp_path):
    from word2vec_cli.files.outputs import check_distinct

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="-a and -b are the same file"):
        check_distinct(outputs=[("-a", fifo), ("-b", fifo)])
    dangling = tmp_path / "link"
    os.symlink(tmp_path / "new.txt", dangling)
    with pytest.raises(UsageError, match="-a and -b"):
        check_distinct(outputs=[("-a", dangling), ("-b", tmp_path / "new.txt")])
    with pytest.raises(UsageError, match="standard output"):
        check_distinct(outputs=[("-a", "-"), ("-b", "-")])
    # distinct files, a file read twice, None and one input on stdin with the output on stdout pass
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"x\n")
    check_distinct(inputs=[("-i", plain), ("-j", plain), ("-k", None)],
                   outputs=[("-a", tmp_path / "a"), ("-b", tmp_path / "b")])
    check_distinct(inputs=[("-i", "-")], outputs=[("-a", "-")])
    check_distinct(inputs=[("-i", plain)], outputs=[("-o", plain)], allowed=[("-o", "-i")])


@pytest.mark.parametrize("args", [["distance", "-"], ["analogy", "-"], ["similarity", "-", "-"]])
def test_a_query_tool_reading_standard_input_twice_is_refused(capsys, args):
    status, err = run_here(args, capsys)
    assert_refused(status, err, "standard input")
