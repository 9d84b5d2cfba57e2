"""Inputs that used to pass silently: a Latin-1 corpus, word pairs with no usable
pair or non-finite scores, a question file without sections, a terminal on
standard input, compressed data on a pipe, misspelt flags and numbers only Python
reads, -checkpoint alone, -log -, a model trained further, too little address space."""

import bz2
import gzip
import io
import lzma
import os
import re
import resource
import signal
import subprocess
import sys

import pytest

from conftest import run_cli
from word2vec_cli.errors import Word2VecError

TEXT = b"the cat sat on the mat\nthe dog sat on the log\na cat and a dog\n" * 20
SMALL = ["-size", "10", "-iter", "1", "-min-count", "1", "-threads", "1"]
VECTORS = b"4 2\ncat 0.1 0.9\ndog 0.2 0.8\nmat 0.9 0.1\nlog 0.8 0.3\n"


def run_here(args, capsys):
    """Run ``word2vec ARGS`` in this process; return ``(status, stdout, stderr)``."""
    from word2vec_cli.cli import main

    old = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SystemExit) as stop:
            main([str(a) for a in args])
    finally:
        signal.signal(signal.SIGTERM, old)
    out, err = capsys.readouterr()
    return stop.value.code, out, err


def one_line(err):
    return len(err.strip().splitlines()) == 1


def test_a_latin1_corpus_trains_keeps_its_bytes_and_warns_once(tmp_path):
    corpus = tmp_path / "latin1.txt"
    corpus.write_bytes("café naïve café thé the cat\n".encode("latin-1") * 10)
    out = tmp_path / "v.txt"
    done = run_cli("-train", corpus, "-output", out, *SMALL, "-debug", 0)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(b"not valid UTF-8") == 1 and one_line(done.stderr.decode()), done.stderr
    assert b"3 of 6 vocabulary words" in done.stderr
    assert b"caf\xe9 " in out.read_bytes()  # the bytes are kept, as the reference keeps them


@pytest.fixture
def vectors(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(VECTORS)
    return path


def test_similarity_with_no_usable_pair_is_an_error(tmp_path, vectors, capsys):
    pairs = tmp_path / "pairs.txt"
    pairs.write_bytes(b"cat\tunknown\t5.0\nzebra\tdog\t3.0\n")
    status, out, err = run_here(["similarity", vectors, pairs], capsys)
    assert status == 1 and one_line(err) and "no correlation" in err and "0 of 2 pairs" in err
    assert "nan" not in out


@pytest.mark.parametrize("score", ["nan", "inf", "-Infinity"])
def test_similarity_refuses_non_finite_scores_naming_the_line(tmp_path, vectors, capsys, score):
    pairs = tmp_path / "pairs.txt"
    pairs.write_bytes(f"cat\tdog\t5.0\n# comment\nmat\tlog\t{score}\n".encode())
    status, out, err = run_here(["similarity", vectors, pairs], capsys)
    assert status == 1 and one_line(err) and "line 3" in err and "finite" in err


def test_accuracy_warns_of_questions_outside_any_section_and_keeps_the_report(tmp_path, vectors, capsys):
    from word2vec_cli.query.accuracy import accuracy
    from word2vec_cli.vectors.read import load

    questions = tmp_path / "q.txt"
    questions.write_bytes(b"cat dog mat log\ndog cat log mat\n")
    status, out, err = run_here(["accuracy", vectors, "--questions", questions], capsys)
    assert status == 0
    assert one_line(err) and "no ': section' line" in err and "2 question(s)" in err
    assert out.encode() == accuracy(load(vectors), questions.read_bytes()).report  # the reference's report
    questions.write_bytes(b": family\ncat dog mat log\n")
    status, out, err = run_here(["accuracy", vectors, "--questions", questions], capsys)
    assert status == 0 and err == ""


class _Terminal:
    """Standard input at a terminal (only what the question reader uses)."""

    def __init__(self, data):
        self.buffer = io.BufferedReader(io.BytesIO(data))

    def isatty(self):
        return True


def test_accuracy_at_a_terminal_says_it_reads_standard_input(monkeypatch, capsys):
    from word2vec_cli.query.accuracy import read_questions

    monkeypatch.setattr(sys, "stdin", _Terminal(b": s\na b c d\n"))
    assert read_questions("-") == b": s\na b c d\n"
    err = capsys.readouterr().err
    assert one_line(err) and "standard input" in err and "Ctrl-D" in err


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_compressed_data_on_standard_input_is_decompressed(monkeypatch, compress):
    from word2vec_cli.files.inputs import open_input

    monkeypatch.setattr(sys, "stdin", _Terminal(compress(TEXT)))
    with open_input("-") as stream:
        assert stream.read() == TEXT
    monkeypatch.setattr(sys, "stdin", _Terminal(b"BZh plain text that starts like bzip2\n"))
    with open_input("-") as stream:
        assert stream.read() == b"BZh plain text that starts like bzip2\n"


def test_a_gzip_pipe_trains_like_the_plain_text(tmp_path):
    plain = tmp_path / "c.txt"
    plain.write_bytes(TEXT)
    done = run_cli("-train", "-", "-save-vocab", tmp_path / "vocab.txt", "-min-count", 1, "-debug", 0,
                   input=gzip.compress(TEXT))
    assert done.returncode == 0, done.stderr
    words = sorted(set(TEXT.split()))
    assert sorted(line.split()[0] for line in (tmp_path / "vocab.txt").read_bytes().splitlines()[1:]) == words


@pytest.mark.parametrize("typed, meant", [("-windw", "-window"), ("--size", "-size"), ("-sav-vocab", "-save-vocab")])
def test_an_unknown_flag_gets_the_closest_one(capsys, typed, meant):
    status, out, err = run_here(["-train", "x.txt", typed, "5"], capsys)
    assert status == 2 and one_line(err) and f"did you mean {meant}?" in err


@pytest.mark.parametrize("flag, value", [("-size", "1_000"), ("-sample", "1_0e-4"), ("-window", "５")])
def test_numbers_only_python_reads_are_refused(capsys, flag, value):
    status, out, err = run_here(["-train", "x.txt", flag, value], capsys)
    assert status == 2 and one_line(err) and flag in err and "as the reference reads it" in err


@pytest.fixture(scope="module")
def checkpointed(tmp_path_factory):
    """A run with -checkpoint and -log - but no -output, in its own folder."""
    folder = tmp_path_factory.mktemp("checkpoint")
    (folder / "c.txt").write_bytes(TEXT)
    done = subprocess.run([sys.executable, "-m", "word2vec_cli", "-train", "c.txt", "-checkpoint", "run.w2v",
                           "-log", "-", *SMALL, "-debug", "0"], cwd=folder, capture_output=True,
                          timeout=300)
    return folder, done


def test_checkpoint_alone_trains_and_writes_the_model(checkpointed):
    folder, done = checkpointed
    assert done.returncode == 0, done.stderr
    assert (folder / "run.w2v").stat().st_size > 0
    assert b"neither -output" not in done.stderr


def test_log_dash_is_standard_output(checkpointed):
    folder, done = checkpointed
    assert not (folder / "-").exists()
    events = re.findall(rb'"event":"(\w+)"', done.stdout)
    assert events[0] == b"start" and events[-1] == b"end"


def test_a_model_trained_further_reports_the_words_of_the_new_text(checkpointed, tmp_path):
    folder, _ = checkpointed
    new = tmp_path / "new.txt"
    new.write_bytes(b"zebra yak zebra yak the cat\n" * 5)
    done = run_cli("-init-model", folder / "run.w2v", "-train", new, "-update-vocab", 1, "-min-count", 1,
                   "-iter", 1, "-threads", 1, "-output", tmp_path / "v2.txt", "-debug", 1)
    assert done.returncode == 0, done.stderr
    new_words = int(re.search(rb"([\d,]+) words of new text", done.stderr).group(1).replace(b",", b""))
    assert new_words == 6 * 5 + 5  # words and line ends of the new text
    assert re.search(rb"Vocabulary \d+ words, (\d+) training words", done.stderr).group(1) == str(new_words).encode()


def test_too_little_address_space_is_said_as_such(tmp_path):
    (tmp_path / "c.txt").write_bytes(TEXT)
    limit = 200 << 20

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    done = subprocess.run([sys.executable, "-m", "word2vec_cli", "-train", str(tmp_path / "c.txt"), "-output",
                           str(tmp_path / "v.txt"), *map(str, SMALL)], preexec_fn=cap, capture_output=True,
                          timeout=120, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    err = done.stderr.decode()
    assert done.returncode == 1 and one_line(err), err
    assert "not enough memory" in err and "address space" in err and "shared object" not in err


def test_read_pairs_refuses_nan_directly(tmp_path):
    from word2vec_cli.query.similarity import read_pairs

    pairs = tmp_path / "p.txt"
    pairs.write_bytes(b"a b NaN\n")
    with pytest.raises(Word2VecError, match="line 1"):
        read_pairs(pairs)
