#!/usr/bin/env python3
"""Training from a Python iterable against training from the same text as a file.

``word2vec_cli.Word2Vec(sentences)`` streams the sentences to a temporary text file
and then trains as ``Word2Vec(corpus_file=...)`` does; this measures what that costs.
It generates a corpus (Zipf-distributed words, 10-word sentences), then runs, each
in a fresh child process, alternately ``--repeat`` times:

* ``file``: ``Word2Vec(corpus_file=PATH, ...)``
* ``iterable``: ``Word2Vec(LineSentence(PATH), ...)`` -- a re-iterable that reads
  and splits the file in Python, as gensim users write it

and reports the medians of the wall time of the ``Word2Vec(...)`` call (the kernels
are loaded by a small untimed run in the child first) and their ratio. For memory it
trains from an iterable on the corpus and on one ``--scale`` times larger (same
vocabulary) and reports each child's peak resident memory: it should not grow with
the corpus.

On a loaded machine the numbers are indicative only.

Example::

    python scripts/bench_iterable.py --words 2000000 --repeat 3 --out out/bench-iterable
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def make_corpus(path, n_words, vocabulary=20000, seed=1):
    """Write ``n_words`` Zipf-distributed words, 10 a line, to ``path``."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ranks = np.arange(1, vocabulary + 1)
    weights = 1.0 / ranks
    weights /= weights.sum()
    words = np.array([f"w{k}" for k in range(vocabulary)])
    with open(path, "w") as handle:
        for start in range(0, n_words, 1_000_000):
            block = words[rng.choice(vocabulary, size=min(1_000_000, n_words - start), p=weights)]
            lines = [" ".join(block[k: k + 10]) for k in range(0, len(block), 10)]
            handle.write("\n".join(lines) + "\n")


def child(mode, path, workers, epochs):
    """Train once (after an untimed warm-up) and print the seconds and peak RSS as JSON."""
    from word2vec_cli import LineSentence, Word2Vec

    params = dict(vector_size=100, window=5, min_count=5, workers=workers, epochs=epochs)
    Word2Vec([["warm", "up", "the", "kernels"]] * 50, **dict(params, min_count=1, epochs=1))
    start = time.perf_counter()
    if mode == "file":
        Word2Vec(corpus_file=path, **params)
    else:
        Word2Vec(LineSentence(path), **params)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"mode": mode, "seconds": seconds, "peak_mb": peak_mb}))


def run_child(mode, path, workers, epochs):
    out = subprocess.run([sys.executable, __file__, "--child", mode, path, "--workers", str(workers),
                          "--epochs", str(epochs)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2_000_000, help="words of the timed corpus")
    parser.add_argument("--scale", type=int, default=4, help="the memory run's larger corpus is this much larger")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", default=None, help="folder for bench-iterable.json / .md")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.workers, args.epochs)
        return
    with tempfile.TemporaryDirectory(prefix="bench-iterable-") as folder:
        small, large = os.path.join(folder, "small.txt"), os.path.join(folder, "large.txt")
        make_corpus(small, args.words)
        make_corpus(large, args.words * args.scale)
        runs = []
        for repeat in range(args.repeat):
            order = ("file", "iterable") if repeat % 2 == 0 else ("iterable", "file")
            for mode in order:
                result = run_child(mode, small, args.workers, args.epochs)
                runs.append(result)
                print(f"  {mode:8s} {result['seconds']:6.2f} s  peak {result['peak_mb']:.0f} MB", flush=True)
        medians = {mode: statistics.median(r["seconds"] for r in runs if r["mode"] == mode)
                   for mode in ("file", "iterable")}
        memory = {}
        for name, path in (("small", small), ("large", large)):
            memory[name] = run_child("iterable", path, args.workers, 1)
            print(f"  memory {name}: {memory[name]['peak_mb']:.0f} MB", flush=True)
    report = {"words": args.words, "epochs": args.epochs, "workers": args.workers, "runs": runs,
              "median_seconds": medians, "ratio": medians["iterable"] / medians["file"],
              "peak_mb": {"small": memory["small"]["peak_mb"], "large": memory["large"]["peak_mb"],
                          "large_words": args.words * args.scale}}
    text = (f"| corpus | file s (median) | iterable s (median) | iterable / file |\n| --- | --- | --- | --- |\n"
            f"| {args.words:,} words x {args.epochs} epochs, {args.workers} workers | {medians['file']:.2f} | "
            f"{medians['iterable']:.2f} | {report['ratio']:.2f}x |\n\n"
            f"Peak RSS training from an iterable (1 epoch): {memory['small']['peak_mb']:.0f} MB for "
            f"{args.words:,} words, {memory['large']['peak_mb']:.0f} MB for {args.words * args.scale:,} words.\n")
    print(text)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "bench-iterable.json"), "w") as handle:
            json.dump(report, handle, indent=1)
        with open(os.path.join(args.out, "bench-iterable.md"), "w") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
