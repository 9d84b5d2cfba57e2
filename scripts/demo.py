#!/usr/bin/env python3
"""The ``make demo`` walk-through: generate a corpus, train on it, show what was learnt.

Steps, everything written under ``--out`` and nothing downloaded:

1. generate the synthetic corpus with planted analogies (:mod:`word2vec_cli.demo_corpus`;
   skipped when ``--out`` already holds it for the same parameters);
2. train CBOW vectors on it with this project's ``word2vec`` command (the
   reference's default flags; its progress bar is shown);
3. print the analogy accuracy on the generated questions
   (``word2vec accuracy VECTORS 30000 < questions.txt``);
4. print the nearest words of a country, a capital, a male word and a verb, and
   a few analogies, through the Python API (``word2vec_cli.load``).

Usage::

    python scripts/demo.py --out out/demo [--tokens 3000000] [--seed 1] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from word2vec_cli import demo_corpus
from word2vec_cli.query.accuracy_output import parse_accuracy_output

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import word2vec_command  # noqa: E402  (a sibling script)

VECTORS_NAME = "vectors.bin"
N_NEIGHBOURS = 6


def heading(text: str) -> None:
    print(f"\n== {text} ==", flush=True)


def make_corpus(out: Path, tokens: int, seed: int) -> tuple[Path, Path]:
    corpus, questions = out / demo_corpus.CORPUS_NAME, out / demo_corpus.QUESTIONS_NAME
    if demo_corpus.is_up_to_date(out, tokens, seed):
        print(f"{corpus}: already generated ({tokens:,} words, seed {seed}), reused")
    else:
        start = time.perf_counter()
        demo_corpus.generate(out, tokens, seed)
        written = json.loads((out / demo_corpus.PARAMS_NAME).read_text())["tokens_written"]
        print(f"{corpus}: generated {written:,} words ({corpus.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - start:.1f} s")
    n_questions = sum(1 for line in questions.open() if not line.startswith(":"))
    print(f"{questions}: {n_questions:,} analogy questions in {len(demo_corpus.SECTIONS)} sections")
    print("sample lines:")
    with corpus.open() as fh:
        for _, line in zip(range(4), fh):
            print("   ", line.rstrip())
    return corpus, questions


def train(corpus: Path, vectors: Path, threads: int | None) -> float:
    flags = ["-train", str(corpus), "-output", str(vectors), "-binary", "1",
             *demo_corpus.TRAIN_FLAGS]
    if threads:
        flags += ["-threads", str(threads)]
    print("$ word2vec " + " ".join(flags), flush=True)
    start = time.perf_counter()
    result = subprocess.run(word2vec_command(*flags))
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"demo: training failed (exit status {result.returncode})")
    print(f"trained in {seconds:.1f} s (whole command: reading, training, writing)")
    return seconds


def section_scores(text: str) -> list[tuple[str, str]]:
    """Pair each ``name:`` line of compute-accuracy output with the ``ACCURACY TOP1`` line after it."""
    scores, name = [], None
    for line in text.splitlines():
        line = line.strip()
        if line.endswith(":") and " " not in line:
            name = line[:-1]
        elif line.startswith("ACCURACY TOP1:") and name:
            scores.append((name, line[len("ACCURACY TOP1:"):].strip()))
            name = None
    return scores


def accuracy(vectors: Path, questions: Path) -> dict:
    with questions.open("rb") as stdin:
        result = subprocess.run(word2vec_command("accuracy", str(vectors), "30000"),
                                stdin=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"accuracy failed (exit status {result.returncode}): {result.stderr.strip()}")
        return {}
    for i, (name, score) in enumerate(section_scores(result.stdout)):
        kind = "semantic " if i < demo_corpus.N_SEMANTIC else "syntactic"
        print(f"  {kind}  {name:<26} {score}")
    parsed = parse_accuracy_output(result.stdout)
    if "total" in parsed:
        print(f"  total accuracy {parsed['total']:.2f} %  (semantic {parsed['semantic']:.2f} %, "
              f"syntactic {parsed['syntactic']:.2f} %)", end="")
        if "seen" in parsed:
            print(f", {parsed['seen']:,} of {parsed['questions']:,} questions seen", end="")
        print()
    else:
        print(result.stdout.strip())
    return parsed


def read_sections(questions: Path) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for line in questions.read_text().splitlines():
        if line.startswith(":"):
            current = sections.setdefault(line[1:].strip(), [])
        elif line.strip():
            current.append(line.split())
    return sections


def _nearest(vectors, positive: list[str], negative: list[str], n: int) -> list[tuple[str, float]]:
    """Plain-numpy stand-in for ``Vectors.most_similar`` / ``Vectors.analogy``."""
    import numpy as np

    unit = vectors.vectors / np.maximum(np.linalg.norm(vectors.vectors, axis=1, keepdims=True), 1e-12)
    query = sum(unit[vectors.index(w)] for w in positive) - sum((unit[vectors.index(w)] for w in negative), 0)
    scores = unit @ (query / np.linalg.norm(query))
    for w in positive + negative:
        scores[vectors.index(w)] = -np.inf
    best = np.argsort(-scores)[:n]
    return [(vectors.words[i], float(scores[i])) for i in best]


def most_similar(vectors, word: str, n: int) -> list[tuple[str, float]]:
    try:
        return vectors.most_similar([word], n=n)
    except ImportError:  # the query module of word2vec_cli is not there (yet)
        return _nearest(vectors, [word], [], n)


def analogy(vectors, a: str, b: str, c: str) -> str:
    try:
        best = vectors.analogy(a, b, c, n=1)
    except ImportError:
        best = _nearest(vectors, [b, c], [a], 1)
    return best[0][0] if best else "-"


def show_neighbours(vectors_path: Path, questions: Path) -> None:
    import word2vec_cli

    vectors = word2vec_cli.load(str(vectors_path))
    sections = read_sections(questions)
    capital, country = sections["capital-world"][0][:2]
    male = sections["family"][0][0]
    verb = sections["gram5-present-participle"][0][0]
    print(f"({len(vectors):,} words, {vectors.dim} dimensions; cosine similarity. The nearest words "
          f"share the word's class;\n the planted relations show in the analogies further down.)")
    for word, what in ((country, "a country"), (capital, "its capital"), (male, "a male word"),
                       (verb, "a verb")):
        near = most_similar(vectors, word, N_NEIGHBOURS)
        print(f"  {word} ({what}):")
        print("      " + ", ".join(f"{w} {s:.2f}" for w, s in near))
    print("analogies (a : b :: c : ?, expected answer in brackets):")
    for section in ("capital-world", "family", "gram7-past-tense", "gram8-plural"):
        a, b, c, d = sections[section][len(sections[section]) // 2]
        answer = analogy(vectors, a, b, c)
        mark = "ok" if answer == d else "wrong"
        print(f"  {a} : {b} :: {c} : {answer}  [{d}] {mark}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate a corpus with planted analogies, train word vectors on it with "
                    "word2vec_cli, and show the analogy accuracy and some nearest words.")
    parser.add_argument("--out", default="out/demo", help="directory for every file the demo writes "
                                                          "(default out/demo)")
    parser.add_argument("--tokens", type=int, default=demo_corpus.DEFAULT_TOKENS,
                        help=f"corpus size in words (default {demo_corpus.DEFAULT_TOKENS:,})")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--threads", type=int, default=None,
                        help="training threads (default: the trainer's, the usable cores)")
    args = parser.parse_args(argv)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    heading("1/4  corpus with planted relations")
    corpus, questions = make_corpus(out, args.tokens, args.seed)
    heading("2/4  training: CBOW, 100 dimensions, window 5, negative 5, 5 epochs")
    vectors = out / VECTORS_NAME
    train(corpus, vectors, args.threads)
    heading(f"3/4  analogy accuracy on {questions}")
    accuracy(vectors, questions)
    heading("4/4  nearest words")
    show_neighbours(vectors, questions)
    country = read_sections(questions)["capital-world"][0][1]
    print(f"\nEverything is in {out}/. Try:  printf '{country}\\nEXIT\\n' | word2vec distance {vectors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
