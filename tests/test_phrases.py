"""word2phrase (REFERENCE.md section 5): same tokens as the reference, clean output, errors."""

import gzip
import os

import click
import numpy as np
import pytest
from click.testing import CliRunner

from conftest import FIXTURES, GOLDEN, SHARED
from word2vec_cli.files import inputs
from word2vec_cli.text import chunks
from word2vec_cli.cli.phrases import phrases_command
from word2vec_cli.errors import UsageError, Word2VecError
from word2vec_cli.text.phrases import find_phrases, kept_entries

PHRASES = FIXTURES / "phrases"


def tokens(data):
    """The tokens of each line (what must equal the reference's output)."""
    return [line.split() for line in data.split(b"\n")]


def run(tmp_path, text, min_count=5, threshold=100.0, **kwargs):
    """Run find_phrases on ``text``; return the output bytes."""
    src = tmp_path / "in.txt"
    src.write_bytes(text)
    out = tmp_path / "out.txt"
    find_phrases(src, out, min_count=min_count, threshold=threshold, **kwargs)
    return out.read_bytes()


def invoke(*args, **kwargs):
    return CliRunner().invoke(phrases_command, [str(a) for a in args], standalone_mode=False, **kwargs)


# --- the reference's outputs -------------------------------------------------------


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """``zcat dev-corpus.txt.gz | head -n 60000`` (the golden files' input)."""
    source = SHARED / "data" / "dev-corpus.txt.gz"
    if not source.is_file() or not (SHARED / "golden" / "small-phrases.txt.gz").is_file():
        pytest.skip("../shared (dev corpus and golden phrases) is not available")
    path = tmp_path_factory.mktemp("phrases") / "small-corpus"
    with gzip.open(source, "rb") as stream, open(path, "wb") as out:
        for _, line in zip(range(60000), stream):
            out.write(line)
    return path, SHARED / "golden"


def test_first_pass_matches_reference(small_corpus, tmp_path):
    corpus_path, golden = small_corpus
    out = tmp_path / "phrases.txt"
    result = invoke("-train", corpus_path, "-output", out, "-threshold", 50, "-debug", 0)
    assert result.exception is None, result.output
    ours = out.read_bytes()
    expected = gzip.decompress((golden / "small-phrases.txt.gz").read_bytes())
    assert tokens(ours) == tokens(expected)
    # clean output: no leading space, single spaces, same line breaks
    assert b"  " not in ours and b"\n " not in ours and not ours.startswith(b" ")
    assert ours.count(b"\n") == expected.count(b"\n")


def test_second_pass_on_reference_output(small_corpus, tmp_path):
    _, golden = small_corpus
    first = tmp_path / "small-phrases.txt"
    first.write_bytes(gzip.decompress((golden / "small-phrases.txt.gz").read_bytes()))
    out = tmp_path / "phrases2.txt"
    summary = find_phrases(first, out, threshold=25)
    expected = gzip.decompress((golden / "small-phrases2.txt.gz").read_bytes())
    assert tokens(out.read_bytes()) == tokens(expected)
    assert summary.passes[0].phrases > 10000


def test_two_passes_in_one_run(small_corpus, tmp_path, monkeypatch):
    corpus_path, golden = small_corpus
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    out = tmp_path / "phrases2.txt"
    result = invoke("-train", corpus_path, "-output", out, "-threshold", 50, "-passes", 2, "-debug", 0)
    assert result.exception is None, result.output
    expected = gzip.decompress((golden / "small-phrases2.txt.gz").read_bytes())
    assert tokens(out.read_bytes()) == tokens(expected)
    assert list(scratch.iterdir()) == []  # intermediate output removed


def test_pruned_counts_match_reference(tmp_path):
    # the reference rebuilt with a 5000-slot hash prunes above 3500 entries (fixture README)
    expected = gzip.decompress((PHRASES / "tiny-pruned-mc2.txt.gz").read_bytes())
    out = tmp_path / "out.txt"
    summary = find_phrases(GOLDEN / "tiny-corpus.txt", out, min_count=2, threshold=20, prune_limit=3500)
    assert summary.passes[0].prunes > 0
    assert tokens(out.read_bytes()) == tokens(expected)
    unpruned = run(tmp_path, (GOLDEN / "tiny-corpus.txt").read_bytes(), min_count=2, threshold=20)
    assert tokens(unpruned) != tokens(expected)  # the pruning does change the output


# --- hand-made corpora (each checked against the reference binary) -----------------


def test_score_is_float32_joining_above_exact_value(tmp_path):
    # a:4 b:5 a_b:3 (b_a:3) words:9 -> (3-2)/4/5*9 = 0.45 exactly, but 0.45000002 in
    # float32, above float32(0.45): joined (exact or float64 arithmetic would not join)
    out = run(tmp_path, b"a b a b a b b b a\n", min_count=2, threshold=0.45)
    assert out == b"a_b a_b a_b b b_a\n"


def test_score_is_float32_not_joining_below_float64_value(tmp_path):
    # same pairs, 12 words: (3-2)/4/5*12 is 0.6000000000000001 in float64 (> 0.6) but
    # float32(0.6) in float32: not joined
    text = b"a b a b a b b b a\nx y z\n"
    assert run(tmp_path, text, min_count=2, threshold=0.6) == text
    assert run(tmp_path, text, min_count=2, threshold=0.5999999) == b"a_b a_b a_b b b_a\nx y z\n"


def test_just_joined_word_does_not_start_a_pair(tmp_path):
    # b_c scores (3-2)/3/3*9 = 1 > 0.5 too, but b was just joined to a
    out = run(tmp_path, b"a b c\n" * 3, min_count=2, threshold=0.5)
    assert out == b"a_b c\n" * 3


def test_pairs_are_counted_across_lines_but_never_joined_across(tmp_path):
    # a_b occurs once inside a line and 4 times across line breaks: count 5, so the
    # pair inside the line joins, the others do not
    out = run(tmp_path, b"a\nb\n" * 4 + b"a b\n", min_count=2, threshold=0.5)
    assert out == b"a\nb\n" * 4 + b"a_b\n"


def test_min_count_and_pairs_sharing_an_entry_with_words(tmp_path):
    # the pair "a b" shares its entry with the word "a_b" (count 5); a and b occur once
    text = b"a_b a_b a_b a_b a b c\n"
    assert run(tmp_path, text, min_count=1, threshold=1) == b"a_b a_b a_b a_b a_b c\n"
    assert run(tmp_path, text, min_count=2, threshold=1) == text


def test_reference_sortvocab_loses_one_entry(tmp_path):
    # with min-count 1 the reference drops the rarest entry seen last (here the word z):
    # z is unknown, so "p z" is not joined although p_z scores (4-1)/1/1*5 = 15
    assert run(tmp_path, b"p_z p_z p_z p z\n", min_count=1, threshold=1) == b"p_z p_z p_z p z\n"
    counts = np.array([0, 4, 1, 2, 1, 1, 1])
    assert kept_entries(counts, 1).tolist() == [False, True, True, True, True, True, False]
    assert kept_entries(counts, 2).tolist() == [False, True, False, True, False, False, False]


def test_long_words_and_bigram_keys_are_cut_like_the_reference(tmp_path):
    # words keep 58 bytes; pair keys 59, so "L.._a" and "L.._b" share the key "L.._"
    long_word = b"L" * 70
    out = run(tmp_path, long_word + b" a\n" + long_word + b" a\n" + long_word + b" b\n" + long_word + b" b\n",
              min_count=2, threshold=1)
    assert out == b"L" * 58 + b"_a\n" + b"L" * 58 + b"_a\n" + b"L" * 58 + b"_b\n" + b"L" * 58 + b"_b\n"


def test_token_rules(tmp_path):
    # tab and space separate, CR is dropped, a NUL byte ends a word (C strings)
    text = b"a\tb\r\nx\x00yz b  a\n" * 3
    out = run(tmp_path, text, min_count=2, threshold=1e9)
    assert out == b"a b\nx b a\n" * 3
    # a_b: (3-2)/6/6*15 = 0.42, x_b: (3-2)/3/6*15 = 0.83
    assert run(tmp_path, text, min_count=2, threshold=0.4) == b"a_b\nx_b a\n" * 3
    assert run(tmp_path, text, min_count=2, threshold=0.5) == b"a b\nx_b a\n" * 3


def test_last_word_without_newline_is_kept(tmp_path):
    # (the reference drops it; ours keeps it, as the training tool does)
    assert run(tmp_path, b"a b\n" * 5 + b"a b", min_count=2, threshold=1) == b"a_b\n" * 5 + b"a_b"


def test_streaming_in_small_blocks(tmp_path, monkeypatch):
    # words across block boundaries, and a text without any newline
    text = b"".join(b"w%d%s" % (i * 7 % 13, b"\n" if i % 11 == 0 else b" ") for i in range(3000))
    texts = [text, text.replace(b"\n", b" "), text.replace(b"\n", b"\r\n")]
    expected = [run(tmp_path, t, min_count=3, threshold=2) for t in texts]
    assert all(e.count(b"_") > 100 for e in expected)
    monkeypatch.setattr(chunks, "iter_blocks", lambda p: inputs.iter_blocks(p, 7))
    assert [run(tmp_path, t, min_count=3, threshold=2) for t in texts] == expected


def test_summary_counts(tmp_path):
    src = tmp_path / "in.txt"
    src.write_bytes(b"a b c\n" * 3)
    summary = find_phrases(src, tmp_path / "out.txt", min_count=2, threshold=0.5)
    (one,) = summary.passes
    # a b c a_b b_c c_a (x2) + the first word's pair with nothing, + the </s> entry
    assert (one.train_words, one.entries, one.kept, one.phrases) == (9, 8, 6, 3)
    assert summary.phrases == 3


def test_passes_halve_the_threshold(tmp_path):
    text = b"a b c d\n" * 6
    # pass 1 (threshold 2): a_b c_d (scores 24/6/6... = 4/6/6*24 = 2.67); pass 2
    # (threshold 1): a_b c_d -> a_b_c_d
    once = run(tmp_path, text, min_count=2, threshold=2)
    assert once == b"a_b c_d\n" * 6
    twice = run(tmp_path, text, min_count=2, threshold=2, passes=2)
    assert twice == b"a_b_c_d\n" * 6


# --- the command line ---------------------------------------------------------------


def test_stdin_and_compressed_input(tmp_path):
    text = b"a b c\n" * 3
    out = tmp_path / "out.txt"
    flags = ["-min-count", 2, "-threshold", 0.5]
    result = invoke("-train", "-", "-output", out, *flags, "-debug", 0, input=text)
    assert result.exception is None
    assert out.read_bytes() == b"a_b c\n" * 3
    gz = tmp_path / "in.txt.gz"
    gz.write_bytes(gzip.compress(text))
    result = invoke("-train", gz, "-output", out, *flags, "-passes", 2, "-debug", 2)
    assert result.exception is None
    # pass 2 (threshold 0.25): a_b_c scores (3-2)/3/3*6 = 0.67
    assert out.read_bytes() == b"a_b_c\n" * 3


def test_output_may_replace_input(tmp_path):
    src = tmp_path / "text.txt"
    src.write_bytes(b"a b c\n" * 3)
    result = invoke("-train", src, "-output", src, "-min-count", 2, "-threshold", 0.5, "-debug", 0)
    assert result.exception is None
    assert src.read_bytes() == b"a_b c\n" * 3


def test_debug_levels(tmp_path):
    src = tmp_path / "in.txt"
    src.write_bytes(b"a b c\n" * 3)
    quiet = invoke("-train", src, "-output", tmp_path / "o", "-debug", 0)
    assert quiet.exception is None and quiet.stderr == "" and quiet.stdout == ""
    sizes = invoke("-train", src, "-output", tmp_path / "o", "-debug", 1, "-min-count", 2)
    assert "words in train file: 9" in sizes.stderr and sizes.stdout == ""


@pytest.mark.parametrize("kind, error", [("missing", Word2VecError), ("empty", Word2VecError),
                                         ("folder", click.BadParameter)])
def test_bad_inputs(tmp_path, kind, error):
    src = tmp_path / "in.txt"
    if kind == "empty":
        src.write_bytes(b"")
    elif kind == "folder":
        src = tmp_path
    out = tmp_path / "out.txt"
    result = invoke("-train", src, "-output", out)
    assert type(result.exception) is error
    assert "\n" not in str(result.exception)
    assert not out.exists()


def test_empty_stdin(tmp_path):
    result = invoke("-train", "-", "-output", tmp_path / "out.txt", input=b"")
    assert type(result.exception) is Word2VecError
    assert os.listdir(tmp_path) == []


def test_unwritable_output_is_checked_first(tmp_path):
    src = tmp_path / "in.txt"
    src.write_bytes(b"a b\n")
    for bad, error in ((tmp_path / "no" / "out.txt", Word2VecError), (tmp_path, click.BadParameter)):
        result = invoke("-train", src, "-output", bad)
        assert type(result.exception) is error
    with pytest.raises(Word2VecError, match="is a directory"):  # the library checks it too
        find_phrases(src, tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["in.txt"]


def test_failures_leave_no_output(tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    folder = tmp_path / "work"
    folder.mkdir()
    src = folder / "in.txt.gz"
    src.write_bytes(gzip.compress(b"a b c\n" * 1000)[:60] + b"garbage")
    result = invoke("-train", src, "-output", folder / "out.txt", "-passes", 2, "-debug", 0)
    assert type(result.exception) is Word2VecError  # a corrupt input
    src.write_bytes(gzip.compress(b"a b c\n" * 1000))

    def broken(*args):
        raise Word2VecError("disk full")

    monkeypatch.setattr("word2vec_cli.text.phrases.write_chunk", broken)
    result = invoke("-train", src, "-output", folder / "out.txt", "-passes", 2, "-debug", 0)
    assert str(result.exception) == "disk full"  # a failure while writing
    assert sorted(os.listdir(folder)) == ["in.txt.gz"]
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("args, error", [
    (["-threshold", "abc"], click.BadParameter),
    (["-min-count", "1.5"], click.BadParameter),
    (["-passes", "0"], UsageError),
    (["-min-count", "-1"], UsageError),
    (["-debug", "3"], UsageError),
    (["-threshold", "nan"], UsageError),
])
def test_bad_flag_values(tmp_path, args, error):
    src = tmp_path / "in.txt"
    src.write_bytes(b"a b\n")
    result = invoke("-train", src, "-output", tmp_path / "out.txt", *args)
    assert isinstance(result.exception, error)
    assert not (tmp_path / "out.txt").exists()


def test_missing_flags(tmp_path):
    assert type(invoke("-output", tmp_path / "o").exception) is UsageError
    assert type(invoke("-train", tmp_path / "o").exception) is UsageError
