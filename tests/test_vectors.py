"""Reading and writing vector files (word2vec_cli.vectors)."""

import gzip
import os
import struct

import numpy as np
import pytest

import word2vec_cli
from word2vec_cli.errors import Word2VecError
from word2vec_cli.api import Vectors
from word2vec_cli.vectors.npy import load_npy, save_npy
from word2vec_cli.vectors.read import load
from word2vec_cli.vectors.write import format_c_float, save_vectors

from conftest import FIXTURES, GOLDEN

SMALL_BIN = FIXTURES / "small-cbow.bin"


def c_line(word, row):
    """What the reference writes for one text record (Python's %f, C's -nan)."""
    return word + b" " + b"".join(format_c_float(x).encode() + b" " for x in row) + b"\n"


def write_bytes(path, data):
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- round trips


def test_reference_binary_round_trip_is_byte_exact(tmp_path):
    vectors = word2vec_cli.load(SMALL_BIN)
    assert (len(vectors), vectors.dim) == (2310, 50)
    assert vectors.words[:3] == ["</s>", "a", "the"]
    assert vectors.vectors.dtype == np.float32 and vectors.vectors.flags.c_contiguous
    out = tmp_path / "copy.bin"
    vectors.save(out, binary=True)
    assert out.read_bytes() == SMALL_BIN.read_bytes()


def test_reference_text_round_trip_is_byte_exact(tmp_path):
    source = GOLDEN / "tiny-sg-ns-w8-s1e-4.txt"
    if not source.exists():
        pytest.skip("golden text vectors not available")
    vectors = word2vec_cli.load(source)
    assert vectors.dim == 20
    out = tmp_path / "copy.txt"
    vectors.save(out)
    assert out.read_bytes() == source.read_bytes()


def test_binary_and_text_round_trip_random_vectors_and_odd_words(tmp_path):
    rng = np.random.default_rng(0)
    words = ["</s>", "café", "naïve", b"\xff\xfebytes".decode("utf-8", "surrogateescape"), "tab\tword", "x" * 300]
    words += [f"w{i}" for i in range(200)]
    matrix = (rng.standard_normal((len(words), 7)) * 3).astype(np.float32)
    save_vectors(tmp_path / "v.bin", words, matrix, binary=True)
    save_vectors(tmp_path / "v.txt", words, matrix, binary=False)
    binary = load(tmp_path / "v.bin")
    text = load(tmp_path / "v.txt")
    assert binary.words == words and text.words == words
    assert np.array_equal(binary.vectors, matrix)
    expected_text = np.array([[np.float32(float("%f" % x)) for x in row] for row in matrix], dtype=np.float32)
    assert np.array_equal(text.vectors, expected_text)
    # the surrogate-escaped word goes back to the same bytes
    assert b"\xff\xfebytes " in (tmp_path / "v.bin").read_bytes()


def test_text_writer_matches_printf_on_many_values(tmp_path):
    rng = np.random.default_rng(1)
    values = np.concatenate([
        rng.standard_normal(20000).astype(np.float32),
        (rng.standard_normal(5000) * 1e-6).astype(np.float32),  # rounds to (-)0.000000 or one unit
        (rng.standard_normal(2000) * 1e9).astype(np.float32),
        np.arange(-2000, 2000, dtype=np.float32) / np.float32(128),  # odd/128: exact ties at 6 places
        np.array([0.0, -0.0, -1e-9, 1e-9, 5e-7, -5e-7, 0.5, -0.5, 1e12, -3e12, 9.2e12,
                  1e13, 1e20, -3.4028235e38, np.inf, -np.inf, np.nan, -np.nan], dtype=np.float32),
    ])
    values = values[: len(values) // 10 * 10]
    matrix = values.reshape(-1, 10)
    words = [f"w{i}" for i in range(matrix.shape[0])]
    save_vectors(tmp_path / "v.txt", words, matrix)
    expected = b"%d %d\n" % matrix.shape + b"".join(c_line(w.encode(), row) for w, row in zip(words, matrix))
    assert (tmp_path / "v.txt").read_bytes() == expected


def test_text_writer_edge_values_spelled_out(tmp_path):
    matrix = np.array([[-0.0, -1e-9, 0.0078125, 0.0234375, -np.nan, np.inf, 1.5]], dtype=np.float32)
    matrix[0, 4] = -np.float32(np.nan)
    save_vectors(tmp_path / "e.txt", ["w"], matrix)
    assert (tmp_path / "e.txt").read_bytes() == (
        b"1 7\nw -0.000000 -0.000000 0.007812 0.023438 -nan inf 1.500000 \n")


def test_empty_vocabulary_and_words_that_cannot_be_written(tmp_path):
    with pytest.raises(Word2VecError):
        save_vectors(tmp_path / "bad.txt", ["two words"], np.zeros((1, 2), np.float32))
    with pytest.raises(Word2VecError):
        save_vectors(tmp_path / "bad.txt", ["ok", "\nstarts-with-newline"], np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError):
        save_vectors(tmp_path / "bad.txt", ["a", "b"], np.zeros((1, 2), np.float32))
    assert not (tmp_path / "bad.txt").exists()
    save_vectors(tmp_path / "bytes.bin", [b"\xffraw", "", "x"], np.ones((3, 1), np.float32), binary=True)
    assert load(tmp_path / "bytes.bin").words == [b"\xffraw".decode("utf-8", "surrogateescape"), "", "x"]
    save_vectors(tmp_path / "none.txt", [], np.zeros((0, 4), np.float32))
    assert (tmp_path / "none.txt").read_bytes() == b"0 4\n"


# --------------------------------------------------------------------------- other writers


def test_gensim_binary_without_newlines(tmp_path):
    rng = np.random.default_rng(2)
    matrix = rng.standard_normal((5, 4)).astype(np.float32)
    words = ["one", "two", "three", "four", "five"]
    data = b"5 4\n" + b"".join(w.encode() + b" " + row.astype("<f4").tobytes() for w, row in zip(words, matrix))
    vectors = load(write_bytes(tmp_path / "g.bin", data))
    assert vectors.words == words
    assert np.array_equal(vectors.vectors, matrix)


def test_gensim_text_without_trailing_space(tmp_path):
    data = b"3 2\nfirst 0.5 -1.25\nsecond 3 4e-2\nthird -0 7\n"
    vectors = load(write_bytes(tmp_path / "g.txt", data))
    assert vectors.words == ["first", "second", "third"]
    assert vectors.vectors.tolist() == [[0.5, -1.25], [3.0, np.float32(0.04)], [-0.0, 7.0]]


def test_text_with_crlf_tabs_and_rare_number_spellings(tmp_path):
    tokens = ["1e3", "-2.5E-3", "+0.5", ".5", "5.", "1E+2", "-0", "1.23456789012345678901234", "1e-40", "7e30"]
    data = ("2 5\r\nw1 " + "\t".join(tokens[:5]) + "\r\nw2 " + " ".join(tokens[5:]) + "\r\n").encode()
    vectors = load(write_bytes(tmp_path / "t.txt", data))
    expected = np.array([float(t) for t in tokens], dtype=np.float32).reshape(2, 5)
    np.testing.assert_array_equal(vectors.vectors, expected)
    assert vectors.words == ["w1", "w2"]


def test_format_can_be_forced_and_gz_is_read(tmp_path):
    matrix = np.arange(6, dtype=np.float32).reshape(3, 2)
    save_vectors(tmp_path / "v.txt", ["a", "b", "c"], matrix)
    with gzip.open(tmp_path / "v.txt.gz", "wb") as handle:
        handle.write((tmp_path / "v.txt").read_bytes())
    assert load(tmp_path / "v.txt.gz").words == ["a", "b", "c"]
    assert np.array_equal(load(tmp_path / "v.txt", format="text").vectors, matrix)
    with pytest.raises(Word2VecError, match="line 2"):
        load(SMALL_BIN, format="text")


def test_limit_reads_only_the_first_words(tmp_path):
    for binary in (True, False):
        path = tmp_path / ("v.bin" if binary else "v.txt")
        save_vectors(path, [f"w{i}" for i in range(50)], np.ones((50, 3), np.float32), binary=binary)
        assert load(path, limit=7).words == [f"w{i}" for i in range(7)]
        assert len(load(path, limit=500)) == 50
        assert len(load(path, limit=0)) == 50
    # a limit stops before a corrupt tail
    good = (tmp_path / "v.txt").read_bytes()
    write_bytes(tmp_path / "tail.txt", good + b"garbage\n")
    assert len(load(tmp_path / "tail.txt", limit=10)) == 10


def test_numpy_pair_round_trip(tmp_path):
    words = ["a", "b", "ç"]
    matrix = np.arange(12, dtype=np.float32).reshape(3, 4)
    save_npy(tmp_path / "v.npy", words, matrix)
    assert (tmp_path / "v.vocab").read_text(encoding="utf-8") == "a\nb\nç\n"
    vectors = load(tmp_path / "v.npy")
    assert vectors.words == words and np.array_equal(vectors.vectors, matrix)
    assert load_npy(tmp_path / "v.npy", limit=2).words == ["a", "b"]
    (tmp_path / "v.vocab").write_text("a\nb\n")
    with pytest.raises(Word2VecError, match="2 words but"):
        load(tmp_path / "v.npy")


# --------------------------------------------------------------------------- the Vectors API


def test_vectors_api():
    vectors = Vectors(["a", b"b", "a"], [[3, 4], [0, 0], [1, 0]])
    assert len(vectors) == 3 and vectors.dim == 2
    assert vectors.index("a") == 0 and "b" in vectors and "z" not in vectors
    assert vectors["a"].tolist() == [3.0, 4.0]
    with pytest.raises(KeyError):
        vectors["z"]
    unit = vectors.normalized()
    np.testing.assert_allclose(unit.vectors, [[0.6, 0.8], [0, 0], [1, 0]], rtol=1e-6)
    assert vectors.vectors[0].tolist() == [3.0, 4.0]  # a copy
    with pytest.raises(ValueError):
        Vectors(["a"], np.zeros((2, 2)))


# --------------------------------------------------------------------------- corrupt files


def one_line_error(path, match, **kwargs):
    """Load ``path``, expecting a Word2VecError whose message matches and is one
    line naming the file; returns the message."""
    with pytest.raises(Word2VecError) as info:
        load(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    assert match in message, message
    return message


@pytest.mark.parametrize("header", [b"abc def\n", b"3\n", b"0 5\n", b"-1 5\n", b"2 3 4\n", b"2 x\n", b"1.5 2\n"])
def test_bad_header(tmp_path, header):
    path = write_bytes(tmp_path / "h.txt", header + b"w 1 2 3\n")
    one_line_error(path, "line 1: header must be two positive integers")


def test_missing_and_empty_files(tmp_path):
    one_line_error(tmp_path / "nope.bin", "not found")
    one_line_error(write_bytes(tmp_path / "empty.bin", b""), "empty")
    one_line_error(write_bytes(tmp_path / "header-only.bin", b"2 3"), "no records")


def binary_records(words, dim, newline=True):
    return b"".join(w + b" " + struct.pack("<%df" % dim, *range(dim)) + (b"\n" if newline else b"")
                    for w in words)


def test_binary_with_fewer_records_than_the_header(tmp_path):
    words = [b"a-rather-long-word-%d" % i for i in range(9)]
    path = write_bytes(tmp_path / "short.bin", b"10 30\n" + binary_records(words, 30))
    one_line_error(path, "record 10: file ends after 9 of the 10 records")


def test_binary_truncated_inside_a_record(tmp_path):
    data = b"3 3\n" + binary_records([b"a", b"b", b"c"], 3)
    path = write_bytes(tmp_path / "cut.bin", data[:-6])
    one_line_error(path, "record 3: truncated record")


def test_binary_record_with_too_few_floats(tmp_path):
    data = b"3 3\n" + binary_records([b"a"], 3) + binary_records([b"b"], 2) + binary_records([b"c"], 3)
    message = one_line_error(write_bytes(tmp_path / "few.bin", data), "record 2: no newline after 3 floats")
    assert "dimension" in message


def test_binary_header_with_a_too_small_dimension(tmp_path):
    path = write_bytes(tmp_path / "dim.bin", b"3 2\n" + binary_records([b"a", b"b", b"c"], 3, newline=False))
    one_line_error(path, "record 4: data after the 3 words announced")


def test_binary_header_announcing_more_than_the_file_holds(tmp_path):
    path = write_bytes(tmp_path / "huge.bin", b"1000000000 300\n" + binary_records([b"a"], 300))
    one_line_error(path, "line 1: header announces 1000000000 words")


def test_text_vector_with_too_few_numbers(tmp_path):
    path = write_bytes(tmp_path / "few.txt", b"3 3\na 1 2 3\nb 1 2\nc 1 2 3\n")
    one_line_error(path, "line 3: expected 3 numbers after the word, found 2")


def test_text_vector_with_too_many_numbers(tmp_path):
    path = write_bytes(tmp_path / "many.txt", b"2 2\na 1 2\nb 1 2 3\n")
    one_line_error(path, "line 3: expected 2 numbers after the word, found 3")


def test_text_non_number(tmp_path):
    path = write_bytes(tmp_path / "nan.txt", b"3 3\na 1 2 3\nb 1 2 3\nc 1 abc 3\n")
    one_line_error(path, "line 4: 'abc' is not a number")


def test_text_with_fewer_lines_than_the_header(tmp_path):
    path = write_bytes(tmp_path / "lines.txt", b"3 2\na 1 2\nb 3 4\n\n")
    one_line_error(path, "line 4: file ends after 2 of the 3 words")


def test_text_with_more_lines_than_the_header(tmp_path):
    path = write_bytes(tmp_path / "extra.txt", b"2 2\na 1 2\nb 3 4\nc 5 6\n")
    one_line_error(path, "line 4: data after the 2 words announced")
    assert len(load(path, limit=2)) == 2


def test_text_header_says_more_dimensions(tmp_path):
    path = write_bytes(tmp_path / "dims.txt", b"2 4\na 1 2 3\nb 1 2 3\n")
    one_line_error(path, "line 2: expected 4 numbers after the word, found 3")


def test_long_lines_and_small_blocks(tmp_path, monkeypatch):
    # parsing in blocks much smaller than a record must give the same result
    import word2vec_cli.vectors.read as module

    rng = np.random.default_rng(3)
    matrix = rng.standard_normal((40, 300)).astype(np.float32)
    words = [f"word{i}" for i in range(40)]
    save_vectors(tmp_path / "v.txt", words, matrix)
    save_vectors(tmp_path / "v.bin", words, matrix, binary=True)
    whole_text = load(tmp_path / "v.txt")
    monkeypatch.setattr(module, "READ_BLOCK", 1000)
    assert np.array_equal(load(tmp_path / "v.bin").vectors, matrix)
    small_text = load(tmp_path / "v.txt")
    assert small_text.words == words and np.array_equal(small_text.vectors, whole_text.vectors)
    assert os.path.getsize(tmp_path / "v.bin") > 1000
