#!/usr/bin/env python3
"""Time the training kernels alone, without the vocabulary pass.

The corpus is encoded once (its token ids and counts are cached next to ``--cache``)
and then ``driver._train_vectors`` -- the same driver ``word2vec`` runs -- is timed
for each mode and thread count, alternating modes between repeats. Reported per
run: wall seconds, process CPU seconds (user + system, much less sensitive than wall
time to other jobs on a shared machine) and training words/s; then the medians.

``--refcounts`` instead compiles the kernels afresh (in a temporary numba cache) and
counts, in the LLVM code of each step function, the calls to numba's reference
counting (``NRT_incref``/``NRT_decref``: locked instructions). The step functions
run once per centre word and must have none.

Examples::

    python scripts/profile_kernels.py /tmp/dev.txt --modes sg-ns cbow-ns --threads 1 2 --iter 1
    python scripts/profile_kernels.py /tmp/dev.txt --modes sg-batch sg-ns --repeat 5 --limit 1000000
    python scripts/profile_kernels.py --refcounts
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from word2vec_cli.model.options import TrainOptions  # noqa: E402
from word2vec_cli.text import corpus  # noqa: E402
from word2vec_cli.text.vocab import Vocabulary  # noqa: E402
from word2vec_cli.training import driver, setup  # noqa: E402

MODES = {
    "cbow-ns": dict(cbow=1, negative=5, hs=0),
    "sg-ns": dict(cbow=0, negative=5, hs=0),
    "cbow-hs": dict(cbow=1, negative=0, hs=1),
    "sg-hs": dict(cbow=0, negative=0, hs=1),
    "sg-ns300": dict(cbow=0, negative=15, hs=0, size=300),
    "sg-batch": dict(cbow=0, negative=5, hs=0, batch=1),
}


class _Tokens:
    """Stands in for corpus.TokenFile: only ``array()`` is used by the driver."""

    def __init__(self, array):
        self._array = array

    def array(self):
        return self._array


def load(path, cache):
    """Return ``(vocabulary, tokens)`` for ``path``, encoding it only once."""
    if not os.path.exists(cache + ".tokens.npy"):
        vocabulary, token_file = corpus.encode(path, 5)
        with token_file:
            np.save(cache + ".tokens.npy", np.asarray(token_file.array()))
        np.save(cache + ".counts.npy", vocabulary.counts)
        with open(cache + ".words", "wb") as out:
            out.write(b"\n".join(vocabulary.word_bytes))
    counts = np.load(cache + ".counts.npy")
    with open(cache + ".words", "rb") as words:
        vocabulary = Vocabulary(words.read().split(b"\n"), counts)
    return vocabulary, np.load(cache + ".tokens.npy", mmap_mode="r")


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


STEP_FUNCTIONS = ("train_cbow_position", "train_skipgram_position", "train_skipgram_batch_position",
                  "hierarchical_softmax", "negative_sampling")


def count_refcounts():
    """Compile ``train_thread`` (in this process's fresh cache) and print the number
    of reference-counting calls in each step function's LLVM code."""
    from word2vec_cli.kernels import thread

    tiny = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "golden", "tiny-corpus.txt")
    for cbow, batch in ((0, 0), (1, 0), (0, 1)):  # one kernel per architecture, with both output layers
        driver.train_model(TrainOptions(train=tiny, threads=1, iter=1, debug=0, cbow=cbow, hs=1, negative=5,
                                        batch=batch))
    known = sorted(STEP_FUNCTIONS + ("train_thread",), key=len, reverse=True)
    counts = {}
    for kernel in thread._KERNELS.values():
        for llvm in kernel.inspect_llvm().values():
            for function in re.split(r"\ndefine ", llvm)[1:]:
                found = re.search(r"kernels\d+[a-z_]+\d+(\w+?)B\d", function[:400])  # module, then name
                # specialised kernels and steps are named after the mode and branches they keep
                name = found and next((k for k in known if found.group(1).startswith(k)), None)
                if name:
                    body = function[:function.find("\n}\n")]
                    calls = len(re.findall(r"call void @NRT_(?:incref|decref)", body))
                    counts[name] = max(calls, counts.get(name, 0))
    for name, calls in counts.items():
        print(f"{name:32s} {calls:3d} reference-counting calls"
              + ("  (at entry and exits: once per thread)" if name == "train_thread" else ""))


def main():
    if "--refcounts" in sys.argv:
        if os.environ.get("PROFILE_KERNELS_CHILD"):
            return count_refcounts()
        with tempfile.TemporaryDirectory() as cache:  # inspection needs freshly compiled code
            env = dict(os.environ, NUMBA_CACHE_DIR=cache, PROFILE_KERNELS_CHILD="1")
            return subprocess.call([sys.executable, __file__, "--refcounts"], env=env)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--cache", default="/tmp/profile-kernels")
    parser.add_argument("--modes", nargs="+", default=["cbow-ns", "sg-ns"], choices=sorted(MODES))
    parser.add_argument("--threads", nargs="+", type=int, default=[2])
    parser.add_argument("--iter", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="train on the first LIMIT tokens only")
    parser.add_argument("--size", type=int, help="vector size instead of the mode's")
    parser.add_argument("--save", help="save the vectors of each mode's last run as SAVE-MODE.npy")
    args = parser.parse_args()
    vocabulary, tokens = load(args.corpus, args.cache)
    if args.limit:
        tokens = tokens[:args.limit]
    print(f"{len(vocabulary)} words, {vocabulary.train_words} training words", flush=True)
    results = {}
    for repeat in range(args.repeat + 1):  # run 0 warms the numba cache, not counted
        for mode in args.modes:
            for threads in args.threads:
                flags = dict(MODES[mode], **({"size": args.size} if args.size else {}))
                opts = TrainOptions(train=args.corpus, threads=threads, iter=args.iter, debug=0, **flags).resolved()
                cpu0, wall0 = cpu_seconds(), time.perf_counter()
                syn0, words, seconds = driver._train_vectors(opts, vocabulary, _Tokens(tokens), setup.fresh(opts))
                wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
                if repeat == 0:
                    continue
                results.setdefault((mode, threads), []).append((wall, cpu, words / seconds))
                print(f"{mode:9s} threads {threads}  wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
                      f"{words / seconds:10,.0f} words/s", flush=True)
                if args.save:
                    np.save(f"{args.save}-{mode}.npy", syn0)
    print("medians (and the fastest run):")
    for (mode, threads), runs in results.items():
        wall, cpu, speed = (statistics.median(x) for x in zip(*runs))
        print(f"{mode:9s} threads {threads}  wall {wall:6.2f} s  cpu {cpu:6.2f} s  {speed:10,.0f} words/s"
              f"   (min wall {min(r[0] for r in runs):.2f} s, min cpu {min(r[1] for r in runs):.2f} s)")


if __name__ == "__main__":
    main()
