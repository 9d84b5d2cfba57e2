#!/usr/bin/env python3
"""Time a first run (empty numba cache) and a later run (warm cache) of ``word2vec``
up to its first trained word, for each mode.

Each run is a fresh ``python -m word2vec_cli`` process with ``NUMBA_CACHE_DIR`` set:
a new empty folder for a cold run (nothing is cached, the counting kernels neither),
the folder a cold run filled for a warm one. The time is taken from just before the
process starts to the moment its ``Training ...`` line reaches stderr: the driver
prints it once the training kernel is linked, right before the threads start, so
it is the first trained word. Also reported: the whole run's wall time and the
process's CPU time (user + system; much less sensitive than wall time to other
jobs on a shared machine). Medians of ``--repeat`` runs.

Examples::

    python scripts/bench_coldstart.py                       # the tiny test corpus, 4 modes, 3 runs
    python scripts/bench_coldstart.py --corpus /tmp/c20k.txt --modes cbow-ns sg-hs --repeat 5
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TINY = os.path.join(REPO, "tests", "fixtures", "golden", "tiny-corpus.txt")

MODES = {
    "cbow-ns": ["-cbow", "1", "-hs", "0", "-negative", "5"],
    "cbow-hs": ["-cbow", "1", "-hs", "1", "-negative", "0"],
    "sg-ns": ["-cbow", "0", "-hs", "0", "-negative", "5"],
    "sg-hs": ["-cbow", "0", "-hs", "1", "-negative", "0"],
}

#: The driver's line once the kernels are linked (training/driver.py).
FIRST_WORD_LINE = b"Training "


def one_run(corpus, flags, cache_dir, workdir, extra):
    """Run ``word2vec`` once; return ``(seconds to the Training line, total seconds,
    CPU seconds, saw the compile message)``."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, PYTHONPATH=REPO)
    command = [sys.executable, "-m", "word2vec_cli", "-train", corpus, "-output",
               os.path.join(workdir, "vectors.txt"), "-debug", "1", *flags, *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=workdir, env=env)
    first = None
    compiling = False
    for line in process.stderr:
        if first is None and line.startswith(FIRST_WORD_LINE):
            first = time.perf_counter() - start
        compiling = compiling or line.startswith(b"Compiling the training kernels")
    if process.wait() != 0:
        raise SystemExit(f"word2vec failed: {' '.join(command)}")
    total = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if first is None:
        raise SystemExit("no 'Training ...' line on stderr: is -debug at least 1?")
    return first, total, cpu, compiling


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=TINY, help="training text (default: the tiny test corpus)")
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind and mode (median)")
    parser.add_argument("--threads", default="2")
    parser.add_argument("--iter", default="1")
    args = parser.parse_args(argv)
    extra = ["-threads", args.threads, "-iter", args.iter]
    corpus = os.path.abspath(args.corpus)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-coldstart-") as workdir:
        for mode in args.modes:
            cold, warm = [], []
            for k in range(args.repeat):
                cache = os.path.join(workdir, f"cache-{mode}-{k}")
                cold.append(one_run(corpus, MODES[mode], cache, workdir, extra))
                warm.append(one_run(corpus, MODES[mode], cache, workdir, extra))
                shutil.rmtree(cache, ignore_errors=True)
            if not all(run[3] for run in cold) or any(run[3] for run in warm):
                print(f"warning: {mode}: the compile message was not shown on every cold run only", file=sys.stderr)
            rows.append((mode, cold, warm))
            print(f"{mode}: done", file=sys.stderr, flush=True)
    median = lambda runs, i: statistics.median(run[i] for run in runs)  # noqa: E731
    print(f"corpus {corpus}, threads {args.threads}, iter {args.iter}, median of {args.repeat} runs; seconds")
    print(f"{'mode':8s} {'cold: first word':>17s} {'total':>7s} {'cpu':>7s}   {'warm: first word':>17s} "
          f"{'total':>7s} {'cpu':>7s}")
    for mode, cold, warm in rows:
        print(f"{mode:8s} {median(cold, 0):17.2f} {median(cold, 1):7.2f} {median(cold, 2):7.2f}   "
              f"{median(warm, 0):17.2f} {median(warm, 1):7.2f} {median(warm, 2):7.2f}")


if __name__ == "__main__":
    main()
