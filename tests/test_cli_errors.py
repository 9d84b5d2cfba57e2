"""Bad input: one line on stderr, a non-zero status, no traceback, nothing written."""

import os

import pytest

from conftest import GOLDEN, run_cli

TINY = str(GOLDEN / "tiny-corpus.txt")


def assert_one_line_error(result, status, *fragments):
    err = result.stderr.decode()
    assert result.returncode == status, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("args,fragment", [
    (["-train", TINY, "-frobnicate", "1"], "unknown flag -frobnicate"),
    (["-train"], "-train"),
    (["-train", TINY, "-size"], "-size"),
    (["-train", TINY, "-size", "abc"], "abc"),
    (["-train", TINY, "-sample", "lots"], "lots"),
    (["-train", TINY, "-size", "0"], "-size"),
    (["-train", TINY, "-iter", "0"], "-iter"),
    (["-train", TINY, "-threads", "0"], "-threads"),
    (["-train", TINY, "-window", "0"], "-window"),
    (["-train", TINY, "-negative", "-1"], "-negative"),
    (["-train", TINY, "-hs", "0", "-negative", "0"], "nothing to train"),
    (["-train", TINY, "-cbow", "2"], "-cbow"),
    (["-train", TINY, "-batch", "1", "-cbow", "1"], "-batch"),
    (["-output", "x.bin"], "-train is required"),
    (["frobnicate"], "unknown command"),
])
def test_usage_errors_exit_2(tmp_path, args, fragment):
    prefix = [] if "-output" in args or not args[0].startswith("-") else ["-output", str(tmp_path / "v.bin")]
    result = run_cli(*prefix, *args)
    assert_one_line_error(result, 2, fragment)
    assert not os.listdir(tmp_path)


def test_missing_training_file(tmp_path):
    result = run_cli("-train", tmp_path / "nope.txt", "-output", tmp_path / "v.bin")
    assert_one_line_error(result, 1, "not found", "nope.txt")
    assert not os.listdir(tmp_path)


def test_training_file_is_a_directory(tmp_path):
    result = run_cli("-train", tmp_path, "-output", tmp_path / "v.bin")
    assert_one_line_error(result, 1, "directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_training_file(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n")
    corpus.chmod(0)
    result = run_cli("-train", corpus, "-output", tmp_path / "v.bin")
    assert_one_line_error(result, 1, "not readable")


def test_empty_training_file(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(b"")
    result = run_cli("-train", corpus, "-output", tmp_path / "v.bin")
    assert_one_line_error(result, 1, "empty")
    assert os.listdir(tmp_path) == ["c.txt"]


@pytest.mark.parametrize("text", [b"   \n\n \t\n", b"a b c d e f g\n"])
def test_no_word_reaches_min_count(tmp_path, text):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(text)
    result = run_cli("-train", corpus, "-output", tmp_path / "v.bin", "-debug", "0")
    assert_one_line_error(result, 1, "-min-count")
    assert os.listdir(tmp_path) == ["c.txt"]


def test_output_folder_missing_is_found_before_training(tmp_path):
    result = run_cli("-train", TINY, "-output", tmp_path / "no" / "v.bin", "-debug", "2")
    assert_one_line_error(result, 1, "does not exist")
    assert b"Training" not in result.stderr and b"Reading" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_output_folder_not_writable(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    result = run_cli("-train", TINY, "-output", folder / "v.bin")
    assert_one_line_error(result, 1, "not writable")


def test_unwritable_folder_message(tmp_path, monkeypatch):
    """Whatever makes file creation fail (permissions, read-only file system) is caught."""
    import tempfile

    from word2vec_cli.errors import Word2VecError
    from word2vec_cli.files.outputs import check_writable

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(Word2VecError, match="not writable"):
        check_writable(tmp_path / "v.bin", "-output file")


def test_output_is_a_directory(tmp_path):
    result = run_cli("-train", TINY, "-output", tmp_path)
    assert_one_line_error(result, 1, "is a directory")


def test_no_output_warns_that_nothing_is_written(tmp_path):
    result = run_cli("-train", TINY, "-debug", 0)
    assert result.returncode == 0
    assert b"warning: neither -output nor -save-vocab" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_save_vocab_folder_missing(tmp_path):
    result = run_cli("-train", TINY, "-save-vocab", tmp_path / "no" / "v.txt")
    assert_one_line_error(result, 1, "does not exist")


def test_missing_read_vocab_file(tmp_path):
    result = run_cli("-train", TINY, "-read-vocab", tmp_path / "v.txt", "-output", tmp_path / "v.bin")
    assert_one_line_error(result, 1, "vocabulary file not found")


def test_no_arguments_prints_usage_and_exits_0():
    result = run_cli()
    assert result.returncode == 0
    assert b"-train" in result.stdout and b"-min-count" in result.stdout


def test_help_flag():
    for flag in ("--help", "-h"):
        result = run_cli(flag)
        assert result.returncode == 0 and b"-save-vocab" in result.stdout


def test_existing_output_survives_a_failed_run(tmp_path):
    out = tmp_path / "v.bin"
    out.write_bytes(b"precious")
    result = run_cli("-train", tmp_path / "missing.txt", "-output", out)
    assert result.returncode == 1
    assert out.read_bytes() == b"precious"


def test_existing_output_survives_a_failure_while_writing_and_is_replaced_on_success(tmp_path, monkeypatch):
    from word2vec_cli.model.options import TrainOptions
    from word2vec_cli.training.driver import train_model
    from word2vec_cli.vectors import write

    out = tmp_path / "v.bin"
    out.write_bytes(b"precious")
    out.chmod(0o640)
    flags = dict(train=str(TINY), output=str(out), binary=1, threads=1, iter=1, debug=0, size=8)
    written = {}

    def fail_half_way(pool, starts, matrix_bytes, buffer):
        written["partial"] = True
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write, "_format_binary_rows", fail_half_way)
    with pytest.raises(OSError):
        train_model(TrainOptions(**flags))
    assert written and out.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.bin"]  # no temporary file left
    monkeypatch.undo()
    train_model(TrainOptions(**flags))
    header = out.read_bytes().split(b"\n", 1)[0]
    assert header.endswith(b" 8") and int(header.split()[0]) > 100
    assert out.stat().st_mode & 0o777 == 0o640  # the replaced file keeps its mode
