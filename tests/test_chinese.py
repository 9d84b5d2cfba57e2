"""Chinese (multi-byte UTF-8) words through every tool: words are never cut inside a
character; vocabularies, vector files, distance, analogy and accuracy keep them."""

import numpy as np
import pytest

from word2vec_cli.query.accuracy import accuracy
from word2vec_cli.text.corpus import encode
from word2vec_cli.text.phrase_kernels import MAX_WORD
from word2vec_cli.text.utf8 import cut_word
from word2vec_cli.text.wordtable import MAX_WORD_BYTES, WordTable, utf8_cut
from word2vec_cli.vectors.read import load
from word2vec_cli.vectors.words import WordVectors
from word2vec_cli.vectors.write import save_vectors

from conftest import run_cli

LONG = "中华人民共和国国务院关于进一步加强和改进新形势下思想政治工作的若干意见与实施细则补充"  # 42 chars


def test_cut_word_keeps_whole_characters():
    assert len(LONG.encode()) == 126
    assert cut_word(LONG.encode(), 98) == LONG[:32].encode()  # 96 bytes: 98 would split a character
    assert cut_word(("é" * 60).encode(), 98) == ("é" * 49).encode()  # 98 bytes is a boundary here
    four = "𠀀" * 30  # 4-byte characters
    assert cut_word(four.encode(), 98) == ("𠀀" * 24).encode()
    assert cut_word(b"a" * 120, 98) == b"a" * 98  # ASCII as the reference
    assert cut_word(b"\x80" * 120, 98) == b"\x80" * 98  # not UTF-8: cut where the reference cuts
    assert cut_word("短".encode(), 98) == "短".encode()
    for word in (LONG.encode(), ("é" * 60).encode(), four.encode(), b"\x80" * 120):
        buf = np.frombuffer(word, dtype=np.uint8)
        assert utf8_cut(buf, 98, word[98]) == len(cut_word(word, 98))


def test_tokenizer_cuts_long_chinese_words_on_a_character_boundary(tmp_path):
    text = (f"{LONG} 中文 词语 {LONG}x 中文\n" * 3).encode()
    corpus = tmp_path / "zh.txt"
    corpus.write_bytes(text)
    vocabulary, tokens = encode(str(corpus), min_count=1)
    tokens.close()
    words = [w.decode("utf-8") for w in vocabulary.word_bytes]  # strict: raises on a split character
    assert LONG[:32] in words and LONG not in words
    # the word with an extra "x" has the same first 32 characters: one entry, counted 6 times
    assert vocabulary.counts[words.index(LONG[:32])] == 6
    table = WordTable()
    assert table.word(table.add(LONG.encode())) == LONG[:32].encode()
    assert table.get(LONG.encode() + b"abc") == 0


def test_train_vocab_and_vectors_with_chinese_words(tmp_path):
    lines = ["我们 喜欢 北京 和 上海", "他们 去 北京 看 长城", "上海 的 外滩 很 美", f"{LONG} 是 长词"]
    corpus = tmp_path / "zh.txt"
    corpus.write_text("\n".join(lines * 20) + "\n", encoding="utf-8")
    vocab, vectors = tmp_path / "zh.vocab", tmp_path / "zh.vec"
    done = run_cli("-train", corpus, "-output", vectors, "-save-vocab", vocab, "-size", 8, "-min-count", 1,
                   "-iter", 1, "-threads", 1, "-debug", 0)
    assert done.returncode == 0, done.stderr
    saved = vocab.read_text(encoding="utf-8").split("\n")
    assert f"{LONG[:32]} 20" in saved and "北京 40" in saved
    loaded = load(str(vectors))
    assert LONG[:32] in loaded.words and "长城" in loaded.words
    # -read-vocab with the uncut long word in the file: cut the same way, so it still matches
    (tmp_path / "full.vocab").write_text(f"</s> 0\n北京 40\n{LONG} 20\n", encoding="utf-8")
    again = tmp_path / "again.bin"
    done = run_cli("-train", corpus, "-output", again, "-read-vocab", tmp_path / "full.vocab", "-binary", 1,
                   "-size", 8, "-min-count", 1, "-iter", 1, "-threads", 1, "-debug", 0)
    assert done.returncode == 0, done.stderr
    assert load(str(again)).words == ["</s>", "北京", LONG[:32]]


def test_phrases_cut_chinese_words_on_a_character_boundary(tmp_path):
    word = LONG[:25]  # 75 bytes: the reference's word2phrase keeps 58 bytes
    corpus = tmp_path / "zh.txt"
    corpus.write_text(f"{word} 中国 人民\n" * 30, encoding="utf-8")
    out = tmp_path / "out.txt"
    done = run_cli("phrases", "-train", corpus, "-output", out, "-min-count", 1, "-threshold", 1, "-debug", 0)
    assert done.returncode == 0, done.stderr
    first = out.read_bytes().decode("utf-8").split("\n")[0]  # strict decoding
    assert MAX_WORD == 58 and first.split()[0].split("_")[0] == word[:19]  # 57 bytes
    assert first == f"{word[:19]}_中国 人民"


def planted_vectors():
    """Countries c_i and capitals c_i + d (exact analogies), plus full-width words."""
    rng = np.random.default_rng(0)
    words = ["</s>", "中国", "北京", "日本", "东京", "法国", "巴黎", "德国", "柏林", "ｔｏｋｙｏ", "ＴＯＫＹＯ", "大", "大大",
             "小", "小小"]
    d = rng.normal(size=16)
    vectors = {w: rng.normal(size=16) for w in words}
    for country, capital in (("中国", "北京"), ("日本", "东京"), ("法国", "巴黎"), ("德国", "柏林")):
        vectors[capital] = vectors[country] + 3 * d
    r = rng.normal(size=16)
    vectors["大大"] = vectors["大"] + 3 * r
    vectors["小小"] = vectors["小"] + 3 * r
    return WordVectors(words, np.array([vectors[w] for w in words], dtype=np.float32))


QUESTIONS = """: geography
中国 北京 日本 东京
法国 巴黎 德国 柏林
中国 北京 火星 月亮
: A
大 大大 小 小小
""".encode()


@pytest.mark.parametrize("binary", [False, True])
def test_distance_analogy_accuracy_on_chinese_words(tmp_path, binary):
    path = tmp_path / ("v.bin" if binary else "v.txt")
    planted = planted_vectors()
    save_vectors(str(path), planted.words, planted.vectors, binary=binary)
    done = run_cli("analogy", path, input="中国 北京 日本\nEXIT\n".encode())
    assert done.returncode == 0, done.stderr
    report = done.stdout.decode("utf-8")
    first = [line for line in report.splitlines() if "\t" in line][0]
    assert first.split()[0] == "东京"
    done = run_cli("distance", path, input="ｔｏｋｙｏ\nEXIT\n".encode())
    out = done.stdout.decode("utf-8")
    assert "Word: ｔｏｋｙｏ  Position in vocabulary: 9" in out  # not the upper-case ＴＯＫＹＯ (10)
    questions = tmp_path / "q.txt"
    questions.write_bytes(QUESTIONS)
    done = run_cli("accuracy", path, "--questions", questions)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode("utf-8").splitlines()
    assert lines[0] == "geography:" and lines[1].startswith("ACCURACY TOP1: 100.00 %  (2 / 2)")
    assert lines[3] == "A:"
    # CA8's morphological sections count as syntactic
    assert "Semantic accuracy: 100.00 %   Syntactic accuracy: 100.00 %" in lines[5]
    assert lines[-1].startswith("Questions seen / total: 3 4")


def test_accuracy_upper_cases_only_ascii():
    words = ["</s>", "ａb", "ＡB", "中国", "北京", "日本", "东京"]
    vectors = planted_vectors()
    matrix = np.vstack([vectors.vectors[:2], vectors.vectors[1:7]])[:7]
    result = accuracy(WordVectors(words, matrix), "ａb 北京 中国 东京\n".encode())
    # ASCII b -> B, but the full-width ａ stays: the question matches "ａb", never "ＡB"
    assert result.questions_seen == 1
    result = accuracy(WordVectors(["</s>", "ＡB", "北京", "中国", "东京"], matrix[[0, 2, 4, 3, 6]]),
                      "ａb 北京 中国 东京\n".encode())
    assert result.questions_seen == 0
