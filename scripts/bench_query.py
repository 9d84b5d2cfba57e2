"""Benchmark the query tools and vector-file reading.

(a) compute-accuracy scoring: questions-words, threshold 30000, on a 100-dimensional
    binary file (VECTORS, or random vectors over the words of questions-words plus
    filler words up to 40,000 words when none is given);
(b) loading a generated 1,000,000 x 300 binary file (written to a temporary folder
    and removed afterwards);
(c) writing 70,000 x 100 vectors as text (what the trainer writes at the end).

Each figure is the median of --runs runs, after one warm-up run (numba compiles).

    python scripts/bench_query.py [VECTORS] [--questions PATH] [--runs 3] [--skip-load]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO_ROOT, SHARED_QUESTIONS as DEFAULT_QUESTIONS  # noqa: E402  (a sibling script)

sys.path.insert(0, str(REPO_ROOT))
from word2vec_cli.query.accuracy import accuracy  # noqa: E402
from word2vec_cli.vectors.read import load  # noqa: E402
from word2vec_cli.vectors.write import save_vectors  # noqa: E402


def median_time(function, runs):
    """Run ``function`` once to warm up, then ``runs`` times; return the median seconds."""
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def random_vectors_for(questions, folder, n_words=40_000, dim=100):
    """Write a binary file of random vectors whose vocabulary holds every word of the
    questions (lower-cased) plus filler words; return its path."""
    words = {"</s>": None}
    for token in questions.decode("utf-8", "surrogateescape").split():
        if token != ":" and not token.startswith(("capital-", "gram", "city-")):
            words.setdefault(token.lower(), None)
    words = list(words)
    words += [f"filler{k}" for k in range(max(0, n_words - len(words)))]
    matrix = np.random.default_rng(0).standard_normal((len(words), dim)).astype(np.float32)
    path = Path(folder) / "random-100.bin"
    save_vectors(path, words, matrix, binary=True)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vectors", nargs="?", help="a 100-dimensional vector file for (a)")
    parser.add_argument("--questions", default=str(DEFAULT_QUESTIONS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-load", action="store_true", help="skip (b), which needs 1.2 GB of disk")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="bench-query-")
    try:
        questions = Path(args.questions).read_bytes()
        path = Path(args.vectors) if args.vectors else random_vectors_for(questions, folder)
        vectors = load(path, limit=30000)
        seconds = median_time(lambda: accuracy(vectors, questions, threshold=30000), args.runs)
        result = accuracy(vectors, questions, threshold=30000)
        print(f"(a) accuracy, threshold 30000, {vectors.dim}-dim {path.name}: "
              f"{result.questions_seen} of {result.questions_total} questions scored in {seconds:.2f} s (median)")
        seconds = median_time(lambda: accuracy(vectors, questions, threshold=30000, method="mul"), args.runs)
        print(f"    same with --method mul: {seconds:.2f} s (median)")

        if not args.skip_load:
            n_words, dim = 1_000_000, 300
            big = Path(folder) / "big.bin"
            rng = np.random.default_rng(1)
            matrix = np.empty((n_words, dim), dtype=np.float32)
            for first in range(0, n_words, 100_000):
                matrix[first:first + 100_000] = rng.standard_normal((100_000, dim), dtype=np.float32)
            words = [f"w{k}" for k in range(n_words)]
            start = time.perf_counter()
            save_vectors(big, words, matrix, binary=True)
            write_seconds = time.perf_counter() - start
            del matrix
            seconds = median_time(lambda: load(big), args.runs)
            size = os.path.getsize(big) / 1e9
            print(f"(b) load {n_words:,} x {dim} binary ({size:.2f} GB): {seconds:.2f} s (median); "
                  f"writing it took {write_seconds:.2f} s")
            big.unlink()

        small = np.random.default_rng(2).standard_normal((70_000, 100)).astype(np.float32)
        small_words = [f"w{k}" for k in range(70_000)]
        text = Path(folder) / "small.txt"
        seconds = median_time(lambda: save_vectors(text, small_words, small, binary=False), args.runs)
        print(f"(c) write 70,000 x 100 as text ({os.path.getsize(text) / 1e6:.0f} MB): {seconds:.2f} s (median)")
        seconds = median_time(lambda: load(text), args.runs)
        print(f"    read it back: {seconds:.2f} s (median)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
