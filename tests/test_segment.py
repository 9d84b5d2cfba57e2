"""``word2vec segment`` and ``segment-score``: pre-tokenization, every segmenter, the
maximum-matching kernels against a plain-Python version, streaming and the scorer."""

import bz2
import gzip
import json
import random
import sys

import numpy as np
import pytest

from word2vec_cli.cli import main
from word2vec_cli.errors import Word2VecError
from word2vec_cli.segment import driver
from word2vec_cli.segment.han import pretokenize, to_codepoints
from word2vec_cli.segment.maxmatch import WordList
from word2vec_cli.segment.score import score_lines
from word2vec_cli.segment.segmenters import make_segmenter

from conftest import run_cli


def seg(text, method="char", **kw):
    return make_segmenter(method, **kw).segment(text).decode("utf-8")


def run_main(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


# --------------------------------------------------------------------------- pre-tokenization (char)

def test_char_splits_han_and_keeps_other_runs_whole():
    text = "我们在2019年用Python3写了3.14和1,000个“程序”。\n"
    assert seg(text) == "我 们 在 2019 年 用 Python3 写 了 3.14 和 1,000 个 “ 程 序 ” 。\n"


def test_punctuation_runs_spaces_and_lines():
    text = "他说——好……\u3000走吧!!\n\n  \n最后一行\n"
    assert seg(text) == "他 说 —— 好 …… 走 吧 !!\n\n\n最 后 一 行\n"


def test_drop_punctuation_and_normalise_full_width():
    text = "附图片１张（ＡＢｃ），共３．５元。\n"
    assert seg(text, drop_punct=True) == "附 图 片 １ 张 ＡＢｃ 共 ３．５ 元\n"
    assert seg(text, normalise=True) == "附 图 片 1 张 （ ABc ） ， 共 3.5 元 。\n"


def test_pretokenize_marks():
    cps = to_codepoints("ab 中文。")
    keep = np.zeros(len(cps), np.uint8)
    start = np.zeros(len(cps), np.uint8)
    assert pretokenize(cps, keep, start, False) == 2
    assert keep.tolist() == [1, 1, 0, 1, 1, 1]
    assert start.tolist() == [1, 0, 0, 1, 0, 1]


# --------------------------------------------------------------------------- maximum matching

WORDS = ["研究", "研究生", "生命", "命", "起源"]


def test_maxmatch_directions(tmp_path):
    dictionary = tmp_path / "words.txt"
    dictionary.write_text("\n".join(w + " 10 n" for w in WORDS) + "\n", encoding="utf-8")
    text = "研究生命起源\n"
    run = dict(user_dict=str(dictionary), dict_only=True)
    assert seg(text, "maxmatch", direction="forward", **run) == "研究生 命 起源\n"
    assert seg(text, "maxmatch", direction="backward", **run) == "研究 生命 起源\n"
    # same number of words: bidirectional keeps the one with fewer single characters
    assert seg(text, "maxmatch", direction="both", **run) == "研究 生命 起源\n"


def python_maxmatch(run, words, backward):
    """Plain-Python forward/backward maximum matching of one string."""
    longest = max(map(len, words))
    out = []
    if not backward:
        i = 0
        while i < len(run):
            n = next((n for n in range(min(longest, len(run) - i), 1, -1) if run[i:i + n] in words), 1)
            out.append(run[i:i + n])
            i += n
        return out
    j = len(run)
    while j > 0:
        n = next((n for n in range(min(longest, j), 1, -1) if run[j - n:j] in words), 1)
        out.insert(0, run[j - n:j])
        j -= n
    return out


def test_maxmatch_kernels_agree_with_plain_python():
    rng = random.Random(3)
    alphabet = "天地人和平中国家民主大学生"
    words = {"".join(rng.choice(alphabet) for _ in range(rng.randint(2, 5))) for _ in range(60)}
    table = WordList(sorted(words))
    for _ in range(50):
        run = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        for direction, backward in (("forward", False), ("backward", True)):
            cps = to_codepoints(run)
            keep = np.zeros(len(cps), np.uint8)
            start = np.zeros(len(cps), np.uint8)
            pretokenize(cps, keep, start, False)
            table.segment(cps, start, direction)
            starts = np.flatnonzero(start).tolist() + [len(run)]
            got = [run[a:b] for a, b in zip(starts, starts[1:])]
            assert got == python_maxmatch(run, words, backward), (run, direction)


def test_maxmatch_needs_a_word_list(monkeypatch, capsys):
    from word2vec_cli.segment import jieba_backend

    def missing():
        raise Word2VecError(jieba_backend.INSTALL_HINT)

    monkeypatch.setattr(jieba_backend, "jieba_dictionary_path", missing)
    with pytest.raises(Word2VecError, match="maxmatch needs a word list"):
        make_segmenter("maxmatch")
    code, _, err = run_main(["segment", "-method", "maxmatch", "-dict-only"], capsys)
    assert code == 2 and err.count("\n") == 1 and "-dict-only needs -dict" in err


# --------------------------------------------------------------------------- jieba

def test_jieba_modes_and_user_dictionary(tmp_path):
    pytest.importorskip("jieba")
    text = "他来到了网易杭研大厦abc\n"
    assert seg(text, "jieba") == "他 来到 了 网易 杭研 大厦 abc\n"
    assert seg(text, "jieba-nohmm") == "他 来到 了 网易 杭 研 大厦 abc\n"
    full = seg("中华人民共和国\n", "jieba-full").split()
    assert "中华人民共和国" in full and "人民" in full and "共和国" in full
    dictionary = tmp_path / "user.txt"
    dictionary.write_text("杭研大厦 100 n\n", encoding="utf-8")
    assert seg(text, "jieba", user_dict=str(dictionary)) == "他 来到 了 网易 杭研大厦 abc\n"


def test_without_jieba_one_line_names_the_extra(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "jieba", None)  # import jieba raises ImportError
    source = tmp_path / "in.txt"
    source.write_text("中文\n", encoding="utf-8")
    code, out, err = run_main(["segment", str(source), "-method", "jieba", "-debug", "0"], capsys)
    assert code == 1 and out == ""
    assert err.strip() == "word2vec segment: error: jieba is not installed: pip install 'word2vec-cli[zh]'"


# --------------------------------------------------------------------------- streaming

def test_inputs_compressed_stdin_several_files_and_threads(tmp_path, monkeypatch):
    lines = ["第%d行：中文和English混合，数字%d。" % (i, i * 7) for i in range(400)]
    text = "\n".join(lines) + "\n"
    plain = tmp_path / "a.txt"
    plain.write_text(text, encoding="utf-8")
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(text.encode()))
    (tmp_path / "a.txt.bz2").write_bytes(bz2.compress(text.encode()))
    expected = seg(text)
    monkeypatch.setattr(driver, "BLOCK_BYTES", 1000)  # many blocks
    for name in ("a.txt", "a.txt.gz", "a.txt.bz2"):
        for threads in (1, 2):
            out = tmp_path / f"out-{name}-{threads}.txt"
            driver.segment_files([str(tmp_path / name)], str(out), method="char", threads=threads, debug=0)
            assert out.read_text(encoding="utf-8") == expected
    out = tmp_path / "two.txt"
    driver.segment_files([str(plain), str(tmp_path / "a.txt.gz")], str(out), method="char", debug=0)
    assert out.read_text(encoding="utf-8") == expected * 2
    done = run_cli("segment", "-", "-method", "char", "-debug", "0", input=text.encode())
    assert done.returncode == 0 and done.stdout.decode() == expected
    done = run_cli("segment", "-method", "char", "-debug", "0", input=b"\xff\xfe\xe4\xb8\xad\n")
    assert done.returncode == 0 and done.stdout.decode() == "\ufffd\ufffd 中\n"
    done = run_cli("segment", "-method", "char", "-debug", "0", input="一行\n\n最后一行".encode())
    assert done.stdout.decode() == "一 行\n\n最 后 一 行\n"  # a last line without newline gets one


def test_segment_errors(tmp_path):
    done = run_cli("segment", tmp_path / "missing.txt", "-method", "char")
    assert done.returncode == 1 and done.stderr.count(b"\n") == 1 and b"not found" in done.stderr
    done = run_cli("segment", "-method", "nonsense")
    assert done.returncode == 2 and done.stderr.count(b"\n") == 1
    done = run_cli("segment", "-", "-", "-method", "char")
    assert done.returncode == 2 and b"only once" in done.stderr


# --------------------------------------------------------------------------- scorer

def test_score_by_hand():
    # gold boundaries: 2, 3, 5 ; test boundaries: 2, 4, 5, 6 -> 2 common
    score = score_lines(["ab c de fg"], ["ab cd e f g"])
    assert (score.gold_boundaries, score.test_boundaries, score.common_boundaries) == (3, 4, 2)
    p, r, f = score.boundary
    assert (p, r) == (0.5, 2 / 3) and f == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    # words: gold ab, c, de, fg ; test ab, cd, e, f, g -> only ab is common
    assert (score.gold_words, score.test_words, score.common_words) == (4, 5, 1)
    assert score_lines(["中国 人民", ""], ["中国 人民", ""]).boundary == (1.0, 1.0, 1.0)


def test_score_errors_and_command(tmp_path):
    with pytest.raises(Word2VecError, match="line 2: the characters"):
        score_lines(["ab", "cd"], ["a b", "c e"])
    with pytest.raises(Word2VecError, match="more lines"):
        score_lines(["ab", "cd"], ["a b"])
    gold = tmp_path / "gold.txt"
    test = tmp_path / "test.txt.gz"
    gold.write_text("中国 人民 站 起来 了\n", encoding="utf-8")
    test.write_bytes(gzip.compress("中国人民 站 起 来 了\n".encode()))
    done = run_cli("segment-score", gold, test, "--json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["boundary"]["precision"] == 0.75 and figures["boundary"]["recall"] == 0.75
    bad = tmp_path / "bad.txt"
    bad.write_text("中国 人 民\n", encoding="utf-8")
    done = run_cli("segment-score", gold, bad)
    assert done.returncode == 1 and done.stderr.count(b"\n") == 1 and b"differ" in done.stderr


def test_word2vec_segment_entry_point(tmp_path, capsys):
    from word2vec_cli.cli import segment_main

    source = tmp_path / "in.txt"
    source.write_text("中文分词\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        segment_main([str(source), "-method", "char", "-debug", "0"])
    assert exit_info.value.code == 0 and capsys.readouterr().out == "中 文 分 词\n"
