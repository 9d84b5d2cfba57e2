"""Tokenizing, counting and the vocabulary (REFERENCE.md section 1, Tokens/Vocabulary)."""

import gzip

import numpy as np
import pytest

from conftest import GOLDEN, run_cli
from word2vec_cli.files import inputs
from word2vec_cli.text import chunks, corpus
from word2vec_cli.errors import Word2VecError
from word2vec_cli.text.vocab import Vocabulary


def encode_text(tmp_path, text, min_count=1, **kwargs):
    path = tmp_path / "corpus.txt"
    path.write_bytes(text)
    vocabulary, tokens = corpus.encode(str(path), min_count=min_count, **kwargs)
    with tokens:
        ids = np.array(tokens.array())
    return vocabulary, [vocabulary.word_bytes[i] for i in ids]


def test_vocabulary_matches_reference_save_vocab(tmp_path):
    out = tmp_path / "vocab.txt"
    result = run_cli("-train", GOLDEN / "tiny-corpus.txt", "-save-vocab", out, "-min-count", 1, "-debug", 0)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == (GOLDEN / "tiny-vocab.txt").read_bytes()


def test_token_rules(tmp_path):
    # tabs and spaces separate, CR is dropped (even inside a word), newline is </s>
    vocabulary, tokens = encode_text(tmp_path, b"a\tb  c\r\nd\re a\n\n")
    assert tokens == [b"a", b"b", b"c", b"</s>", b"de", b"a", b"</s>", b"</s>"]
    assert vocabulary.word_bytes[0] == b"</s>"
    assert vocabulary.counts[0] == 3


def test_long_words_keep_their_first_98_bytes(tmp_path):
    long_word = bytes(range(65, 91)) * 5  # 130 bytes
    vocabulary, tokens = encode_text(tmp_path, long_word + b" x\n")
    assert tokens[0] == long_word[:98]


def test_last_word_without_newline_is_kept(tmp_path):
    _, tokens = encode_text(tmp_path, b"a b\nc d")
    assert tokens == [b"a", b"b", b"</s>", b"c", b"d"]


def test_words_spanning_blocks_and_no_newline(tmp_path, monkeypatch):
    # small blocks force words across block boundaries; a line with no newline at all
    monkeypatch.setattr("word2vec_cli.files.inputs.BLOCK_SIZE", 7)
    monkeypatch.setattr(chunks, "iter_blocks", lambda p: inputs.iter_blocks(p, 7))
    words = [b"w%d" % (i % 13) for i in range(500)]
    _, tokens = encode_text(tmp_path, b" ".join(words))
    assert tokens == words


def test_ties_keep_first_seen_order_and_min_count(tmp_path):
    vocabulary, _ = encode_text(tmp_path, b"z y x y z q\n", min_count=2)
    assert vocabulary.word_bytes == [b"</s>", b"z", b"y"]
    assert vocabulary.train_words == 1 + 2 + 2


def test_compressed_input(tmp_path):
    text = b"the cat sat on the mat\nthe end\n"
    plain, _ = encode_text(tmp_path, text)
    gz = tmp_path / "c.txt.gz"
    gz.write_bytes(gzip.compress(text))
    packed, tokens = corpus.encode(str(gz), min_count=1)
    tokens.close()
    assert packed.word_bytes == plain.word_bytes
    assert packed.counts.tolist() == plain.counts.tolist()


@pytest.mark.parametrize("can_reread", [True, False])
def test_pruning_like_the_reference(tmp_path, monkeypatch, can_reread):
    # with a limit of 4 distinct words the table prunes words seen once, then twice...
    text = b"a a a b c d e a b f g h a\n"
    path = tmp_path / "p.txt"
    path.write_bytes(text)
    if not can_reread:
        monkeypatch.setattr(corpus, "is_regular_file", lambda p: False)
    vocabulary, tokens = corpus.encode(str(path), min_count=1, prune_limit=4)
    with tokens:
        ids = np.array(tokens.array())
    # limit 4: at "d" the table holds </s> a b c d and words seen once go (b c d);
    # at "f" (</s> a e b f) words seen at most twice go; </s> is never pruned (ours)
    assert vocabulary.word_bytes == [b"</s>", b"a", b"g", b"h"]
    assert vocabulary.counts.tolist() == [1, 5, 1, 1]
    kept = [vocabulary.word_bytes[i] for i in ids]
    assert kept == [b"a", b"a", b"a", b"a", b"g", b"h", b"a", b"</s>"]


def _thread_starts(tmp_path, text, threads, min_count=1, **kwargs):
    path = tmp_path / "t.txt"
    path.write_bytes(text)
    vocabulary, tokens = corpus.encode(str(path), min_count=min_count, threads=threads, **kwargs)
    with tokens:
        return tokens.thread_starts, np.array(tokens.array())


@pytest.mark.parametrize("text, threads, starts", [
    (b"aa bb\ncc dd\n", 2, [3]),          # half the bytes is the start of "cc": after aa bb </s>
    (b"aaa bbb ccc ddd\n", 4, [1, 2, 3]),  # each quarter starts a word
    (b"aaa bbb ccc ddd\n", 3, [2, 3]),     # bytes 5 and 10 fall inside bbb and ccc: those go first
    (b"x a a\na a a\n", 2, [3]),           # x (under -min-count 2) dropped before the start
    (b"abcdefgh", 2, [1]),                # one unterminated word: the second thread gets nothing
])
def test_threads_start_where_the_reference_threads_start_reading(tmp_path, text, threads, starts):
    # the reference's thread k starts reading at k/threads of the file's bytes: a word
    # cut there is read as a fragment (not ours to train), the next word is its first
    min_count = 2 if text.startswith(b"x") else 1
    assert _thread_starts(tmp_path, text, threads, min_count)[0] == starts


def test_thread_starts_leave_the_tokens_unchanged_and_follow_every_encoding_path(tmp_path, monkeypatch):
    # cutting blocks at the marks must not change a token; small blocks put marks
    # anywhere; -read-vocab and a reread after pruning record them too; streams and
    # compressed files have no byte offsets to start at
    monkeypatch.setattr("word2vec_cli.files.inputs.BLOCK_SIZE", 64)
    monkeypatch.setattr(chunks, "iter_blocks", lambda p: inputs.iter_blocks(p, 64))
    words = [b"w%d" % (i * 7 % 31) for i in range(3000)]
    text = b"".join(b" ".join(words[i:i + 11]) + b"\n" for i in range(0, 3000, 11))
    single, plain = _thread_starts(tmp_path, text, 1, min_count=3)
    assert single is None
    starts, marked = _thread_starts(tmp_path, text, 7, min_count=3)
    np.testing.assert_array_equal(marked, plain)
    # each start is the number of tokens in the lines and words wholly before its byte
    for k, start in enumerate(starts, 1):
        head = text[:len(text) * k // 7]
        assert start == len(head.split()) + head.count(b"\n") or start == len(head.split()) + head.count(b"\n") + 1
    vocabulary, _ = corpus.encode(str(tmp_path / "t.txt"), min_count=3)
    assert _thread_starts(tmp_path, text, 7, read_vocab=vocabulary)[0] == starts
    assert len(_thread_starts(tmp_path, text, 7, min_count=3, prune_limit=20)[0]) == 6
    gz = tmp_path / "t.txt.gz"
    gz.write_bytes(gzip.compress(text))
    packed, tokens = corpus.encode(str(gz), min_count=3, threads=7)
    tokens.close()
    assert tokens.thread_starts is None


def test_vocabulary_save_read_round_trip(tmp_path):
    vocabulary, _ = encode_text(tmp_path, (GOLDEN / "tiny-corpus.txt").read_bytes(), min_count=1)
    path = tmp_path / "v.txt"
    vocabulary.save(path)
    again = Vocabulary.read(path, min_count=1)
    assert again.word_bytes == vocabulary.word_bytes
    assert again.counts.tolist() == vocabulary.counts.tolist()
    fewer = Vocabulary.read(path, min_count=5)
    assert len(fewer) == 627 and fewer.word_bytes[0] == b"</s>"


def test_read_vocab_trains_with_those_counts(tmp_path):
    vocab_file = tmp_path / "v.txt"
    out_a, out_b = tmp_path / "a.bin", tmp_path / "b.bin"
    common = ["-train", GOLDEN / "tiny-corpus.txt", "-threads", 1, "-iter", 1, "-debug", 0, "-binary", 1]
    assert run_cli(*common, "-save-vocab", vocab_file, "-output", out_a).returncode == 0
    assert run_cli(*common, "-read-vocab", vocab_file, "-output", out_b).returncode == 0
    assert out_a.read_bytes() == out_b.read_bytes()


def test_malformed_vocabulary_file(tmp_path):
    bad = tmp_path / "v.txt"
    bad.write_bytes(b"</s> 3\nthe 12\nbroken\n")
    with pytest.raises(Word2VecError, match=r"v.txt:3"):
        Vocabulary.read(bad, min_count=1)
