#!/usr/bin/env python3
"""How does the quality of Chinese word vectors depend on the quality of the word
segmentation? Regenerates docs/zh_segmentation.md and its plots from scratch.

Everything runs through the toolkit's own commands (``word2vec segment``,
``segment-score``, ``word2vec -train``, ``word2vec phrases``, ``word2vec accuracy``):

* People's Daily, January 1998, first half (gold segmentation available): the gold
  segmentation, the gold degraded at known rates (random merges and splits of
  Han-Han boundaries), every segmenter's output, character and character-bigram
  units, and character text joined by ``word2vec phrases``; several seeds each.
* inews (no gold): each segmenter, with its F1 estimated on People's Daily.

Each model is scored on CA8 (semantic, morphological) and CA-translated: coverage
(questions whose four words are in the vocabulary), accuracy over all questions
(unknown counts as wrong) and accuracy on a common subset (questions covered by
every word-level model of the corpus), so that vocabulary effects and vector
quality can be told apart.

Usage:  nice -n 10 python scripts/zh_segmentation_study.py [--data ../shared/data/zh]
        [--work /tmp/zh-study] [--seeds 4] [--inews-seeds 2] [--threads 2]
Results are cached in WORK/results.json (delete it to retrain everything).
Needs the zh and plot extras (jieba, matplotlib).
"""

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
QUESTIONS = {"CA8-sem": "ca8-semantic.txt", "CA8-morph": "ca8-morphological.txt", "CA-trans": "ca-translated.txt"}
RATES = (0.02, 0.05, 0.10, 0.20, 0.30, 0.40)
SEGMENTERS = {  # name -> flags of word2vec segment
    "jieba": ["-method", "jieba"],
    "jieba-nohmm": ["-method", "jieba-nohmm"],
    "jieba-full": ["-method", "jieba-full"],
    "mm-forward": ["-method", "maxmatch", "-direction", "forward"],
    "mm-backward": ["-method", "maxmatch", "-direction", "backward"],
    "mm-both": ["-method", "maxmatch", "-direction", "both"],
    "char": ["-method", "char"],
}
INEWS_SEGMENTERS = ("jieba", "jieba-nohmm", "mm-forward", "mm-both", "char", "bigram")
PKU_TRAIN = ["-cbow", "0", "-size", "100", "-window", "5", "-negative", "5", "-hs", "0", "-sample", "1e-4",
             "-iter", "10", "-min-count", "3"]
INEWS_TRAIN = ["-cbow", "0", "-size", "100", "-window", "5", "-negative", "5", "-hs", "0", "-sample", "1e-4",
               "-iter", "5", "-min-count", "5"]


def tool(*args, capture=True):
    """Run ``word2vec ARGS`` (this checkout's) and return its standard output."""
    cmd = [sys.executable, "-m", "word2vec_cli", *map(str, args)]
    done = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE if capture else None, stderr=subprocess.PIPE,
                          text=True)
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr}")
    return done.stdout


def is_han(ch):
    c = ord(ch)
    return 0x4E00 <= c <= 0x9FFF or 0x3400 <= c <= 0x4DBF or 0xF900 <= c <= 0xFAFF or c == 0x3007 \
        or 0x20000 <= c <= 0x3134F


def degrade(gold_lines, rate, seed):
    """Return the gold lines with ``rate`` x (Han-Han gold boundaries) errors: half of
    them merges of random Han-Han boundaries, half splits inside random words between
    two Han characters."""
    chars, cut, han = [], [], []
    line_of = []
    for number, line in enumerate(gold_lines):
        for word in line.split():
            for k, ch in enumerate(word):
                chars.append(ch)
                cut.append(k == 0)
                han.append(is_han(ch))
                line_of.append(number)
    cut, han, line_of = np.array(cut), np.array(han), np.array(line_of)
    inner = np.zeros(len(chars), dtype=bool)  # between two Han characters of one line
    inner[1:] = han[1:] & han[:-1] & (line_of[1:] == line_of[:-1])
    merges = np.flatnonzero(inner & cut)
    splits = np.flatnonzero(inner & ~cut)
    rng = np.random.default_rng(seed)
    n = int(round(rate * len(merges) / 2))
    cut = cut.copy()
    cut[rng.choice(merges, min(n, len(merges)), replace=False)] = False
    cut[rng.choice(splits, min(n, len(splits)), replace=False)] = True
    lines = [[] for _ in gold_lines]
    for number, ch, c in zip(line_of.tolist(), chars, cut.tolist()):
        if c and lines[number]:
            lines[number].append(" ")
        lines[number].append(ch)
    return ["".join(x) for x in lines]


def bigrams(lines):
    """Turn char-segmented lines into overlapping Han-character bigrams (a Han run of
    one character stays a unigram); other tokens are kept."""
    out = []
    for line in lines:
        tokens, run = [], []
        for token in line.split() + [""]:
            if len(token) == 1 and is_han(token):
                run.append(token)
                continue
            if run:
                tokens.extend(run if len(run) == 1 else [a + b for a, b in zip(run, run[1:])])
                run = []
            if token:
                tokens.append(token)
        out.append(" ".join(tokens))
    return out


def unjoin_phrases(char_lines, joined_lines):
    """Turn word2vec phrases output on char text into a segmentation: a_b_c -> abc.
    The tokens are taken from the char text (phrases cuts tokens at 58 bytes, as the
    reference does; a long number would lose characters)."""
    out = []
    for line, joined in zip(char_lines, joined_lines):
        tokens, words, i = line.split(), [], 0
        for t in joined.split():
            k = t.count("_") + 1
            words.append("".join(tokens[i:i + k]))
            i += k
        out.append(" ".join(words))
    return out


def read_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


class Study:
    """Trains and scores models, caching every result in WORK/results.json."""

    def __init__(self, args):
        self.args = args
        self.work = args.work
        os.makedirs(self.work, exist_ok=True)
        self.cache_path = os.path.join(self.work, "results.json")
        self.results = json.load(open(self.cache_path)) if os.path.exists(self.cache_path) else {}

    def save(self):
        with open(self.cache_path + ".tmp", "w") as handle:
            json.dump(self.results, handle, indent=1)
        os.replace(self.cache_path + ".tmp", self.cache_path)

    def path(self, name):
        return os.path.join(self.work, name)

    def score(self, corpus, name, gold, test):
        key = f"{corpus}/{name}/f1"
        if key not in self.results:
            self.results[key] = json.loads(tool("segment-score", gold, test, "--json"))
            self.save()
        return self.results[key]

    def segment(self, name, source, target):
        if os.path.exists(target):
            return None
        start = time.time()
        tool("segment", source, "-output", target, *SEGMENTERS[name], "-threads", self.args.threads, "-debug", 0)
        return time.time() - start

    def train(self, corpus, name, text, seed, flags):
        """Train on ``text`` with ``seed``; return the model path (cached by name)."""
        model = self.path(f"{corpus}.{name}.s{seed}.bin")
        vocab = self.path(f"{corpus}.{name}.s{seed}.vocab")
        key = f"{corpus}/{name}/s{seed}/train"
        if key not in self.results or not os.path.exists(model):
            start = time.time()
            tool("-train", text, "-output", model, "-binary", 1, *flags, "-seed", seed, "-threads",
                 self.args.threads, "-debug", 0, "-save-vocab", vocab)
            self.results[key] = {"seconds": round(time.time() - start, 1)}
            self.save()
        return model

    def evaluate(self, corpus, name, seed, model, subset_files=None, tag="all"):
        key = f"{corpus}/{name}/s{seed}/{tag}"
        if key in self.results:
            return self.results[key]
        # in-process (the library behind `word2vec accuracy --json`): one load per model
        sys.path.insert(0, REPO)
        from word2vec_cli.api import load
        from word2vec_cli.query.accuracy import accuracy

        out = {}
        vectors = load(model)
        files = subset_files or {q: os.path.join(self.args.data, f) for q, f in QUESTIONS.items()}
        for q, path in files.items():
            with open(path, "rb") as handle:
                data = handle.read()
            if not data:
                out[q] = {"correct": 0, "seen": 0, "asked": 0}
                continue
            report = accuracy(vectors, data).as_dict()
            out[q] = {"correct": report["total"]["correct"], "seen": report["questions_seen"],
                      "asked": report["questions_total"]}
        self.results[key] = out
        self.save()
        return out


def vocabulary(path):
    with open(path, encoding="utf-8", errors="replace") as handle:
        return {line.split(" ")[0] for line in handle if line.strip()}


def common_subsets(study, corpus, names, seeds, data):
    """Write, per question file, the questions whose four words are in the vocabulary
    of every model of ``names`` (all seeds); return {question set: path}."""
    vocabs = [vocabulary(study.path(f"{corpus}.{n}.s{s}.vocab")) for n in names for s in seeds]
    common = set.intersection(*vocabs)
    files = {}
    for q, f in QUESTIONS.items():
        kept, section = [], None
        for line in open(os.path.join(data, f), encoding="utf-8"):
            if line.startswith(":"):
                section = line
                continue
            words = line.split()
            if len(words) == 4 and all(w in common for w in words):
                if section is not None:
                    kept.append(section)
                    section = None
                kept.append(line)
        path = study.path(f"{corpus}.common.{q}.txt")
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(kept)
        files[q] = path
    return files


def run_corpus(study, corpus, units, seeds, flags):
    """Train and evaluate every unit set of ``units`` {name: text path}; returns rows."""
    for name, text in units.items():
        for seed in seeds:
            model = study.train(corpus, name, text, seed, flags)
            study.evaluate(corpus, name, seed, model)
            print(f"{corpus} {name} seed {seed} done", file=sys.stderr, flush=True)
    from zh_study_report import word_level as is_word_level

    word_level = [n for n in units if is_word_level(n)]
    subsets = common_subsets(study, corpus, word_level, seeds, study.args.data)
    for name in units:
        for seed in seeds:
            study.evaluate(corpus, name, seed, study.path(f"{corpus}.{name}.s{seed}.bin"), subsets, "common")
    return subsets


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data", "zh"))
    parser.add_argument("--work", default="/tmp/zh-study")
    parser.add_argument("--docs", default=os.path.join(REPO, "docs"))
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--inews-seeds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-inews", action="store_true")
    args = parser.parse_args()
    args.data = os.path.abspath(args.data)
    study = Study(args)
    seeds = list(range(1, args.seeds + 1))

    # People's Daily: gold, degraded gold, segmenters, baselines
    raw = study.path("pku.raw.txt")
    gold = study.path("pku.gold.txt")
    if not os.path.exists(gold):
        write_lines(raw, read_lines(os.path.join(args.data, "pku1998-a.txt.gz")))
        write_lines(gold, read_lines(os.path.join(args.data, "pku1998-a.gold.txt.gz")))
    gold_lines = read_lines(gold)
    units = {"gold": gold}
    for rate in RATES:
        name = f"gold-noise-{int(rate * 100):02d}"
        target = study.path(f"pku.{name}.txt")
        if not os.path.exists(target):
            write_lines(target, degrade(gold_lines, rate, seed=1000 + int(rate * 100)))
        units[name] = target
    seconds = study.results.setdefault("pku/segment-seconds", {})
    for name in SEGMENTERS:
        target = study.path(f"pku.{name}.txt")
        spent = study.segment(name, raw, target)
        if spent is not None:
            seconds[name] = round(spent, 2)
        units[name] = target
    if not os.path.exists(study.path("pku.bigram.txt")):
        write_lines(study.path("pku.bigram.txt"), bigrams(read_lines(units["char"])))
    units["bigram"] = study.path("pku.bigram.txt")
    for passes, threshold in ((1, 100), (3, 100), (3, 30)):
        name = f"phrases-p{passes}-t{threshold}"
        target = study.path(f"pku.{name}.txt")
        if not os.path.exists(target):
            joined = study.path(f"pku.{name}.joined.txt")
            tool("phrases", "-train", units["char"], "-output", joined, "-passes", passes, "-threshold", threshold,
                 "-min-count", 5, "-debug", 0)
            write_lines(target, unjoin_phrases(read_lines(units["char"]), read_lines(joined)))
        units[name] = target
    for name, target in units.items():
        if name not in ("jieba-full", "bigram"):
            study.score("pku", name, gold, target)
    study.save()
    run_corpus(study, "pku", units, seeds, PKU_TRAIN)

    if not args.skip_inews:
        inews_raw = study.path("inews.raw.txt")
        if not os.path.exists(inews_raw):
            write_lines(inews_raw, read_lines(os.path.join(args.data, "inews.txt.gz")))
        inews_units = {}
        seconds = study.results.setdefault("inews/segment-seconds", {})
        for name in INEWS_SEGMENTERS:
            target = study.path(f"inews.{name}.txt")
            if name == "bigram":
                if not os.path.exists(target):
                    write_lines(target, bigrams(read_lines(inews_units["char"])))
            else:
                spent = study.segment(name, inews_raw, target)
                if spent is not None:
                    seconds[name] = round(spent, 2)
            inews_units[name] = target
        study.save()
        run_corpus(study, "inews", inews_units, list(range(1, args.inews_seeds + 1)), INEWS_TRAIN)

    study.results["machine"] = {"platform": platform.platform(), "cpus": os.cpu_count(),
                                "python": platform.python_version(), "date": time.strftime("%Y-%m-%d %H:%M")}
    study.save()
    from zh_study_report import write_report

    write_report(study.results, args, seeds, list(range(1, args.inews_seeds + 1)),
                 {"pku": PKU_TRAIN, "inews": INEWS_TRAIN}, SEGMENTERS, RATES)


if __name__ == "__main__":
    main()
