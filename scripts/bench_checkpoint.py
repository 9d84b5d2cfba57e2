#!/usr/bin/env python3
"""Benchmark checkpoints: the cost of writing one against ``cp``, and how soon a
resumed run trains.

1. Trains a model on CORPUS (``--iter`` epochs, CBOW with hierarchical softmax and
   negative sampling, so that every matrix is in the file) and stops it after the
   first epoch with a checkpoint (as Ctrl-C would).
2. Writing: alternately, ``--repeat`` times, writes that state as a checkpoint
   in-process (what a run does at each checkpoint: :func:`save_run`, checksums
   included; it replaces the previous one) and copies a file of the same size with
   ``cp`` over the previous copy, in the same folder, and with ``cp`` followed by
   ``sync FILE`` (a durable copy: a checkpoint is fsynced before it is renamed into
   place, so that it survives a crash); reports the medians and the ratios (target:
   at most 2).
3. Resuming: ``--repeat`` times, starts ``python -m word2vec_cli -resume CHECKPOINT``
   and measures the wall time from the start of the process to the first call of
   the training threads (interpreter start, imports, loading and verifying the
   model, finding the encoded text kept beside the checkpoint, loading the compiled
   kernels); target: 2 s. Alternating with it: a fresh run of the same corpus (reads
   the text, builds the vocabulary) and the floor (Python, numpy, numba and one
   cached compiled function: what any run pays before it trains).

Writes ``OUT/bench_checkpoint.md`` and ``.json``. Example::

    nice -n 10 python scripts/bench_checkpoint.py ../shared/data/dev-corpus.txt.gz --out docs
"""

import argparse
import datetime
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

_FIRST_WORD = """
import os, sys, time
from word2vec_cli.training import run
original = run.TrainingRun.run_epoch
def first(self, on_tick=None):
    print(repr(time.time()), flush=True)
    os._exit(0)
run.TrainingRun.run_epoch = first
from word2vec_cli.cli import main
sys.argv = ["word2vec", *sys.argv[1:]]
main()
"""
#: Python start, numpy and numba imports and the first compiled function loaded from
#: numba's cache: the floor under any run's first trained word.
_FLOOR = """
import time, numpy as np
from word2vec_cli.model.huffman import HuffmanCodes
HuffmanCodes(np.array([3, 2, 1]))
print(repr(time.time()), flush=True)
"""


def make_checkpoint(corpus, folder, size, iterations):
    """Train on ``corpus`` until the first epoch's checkpoint; return its path."""
    from word2vec_cli.model.options import TrainOptions
    from word2vec_cli.training.checkpoint import Checkpoints
    from word2vec_cli.training.driver import train_model
    from word2vec_cli.training.run import TrainingInterrupted

    path = os.path.join(folder, "checkpoint.w2v")
    write = Checkpoints.write

    def write_then_stop(self, run, why="checkpoint"):
        write(self, run, why)
        if why == "checkpoint":
            raise KeyboardInterrupt

    Checkpoints.write = write_then_stop
    try:
        train_model(TrainOptions(train=corpus, checkpoint=path, iter=iterations, size=size, hs=1, negative=5,
                                 threads=2, debug=0))
    except TrainingInterrupted:
        pass
    finally:
        Checkpoints.write = write
    return path


def time_writes(path, repeat):
    """Alternate in-process checkpoint writes and ``cp`` of a same-size file; return
    the two lists of seconds."""
    import numpy as np

    from word2vec_cli.training.checkpoint import load_model, save_run
    from word2vec_cli.training.run import TrainingRun

    saved = load_model(path)
    # a run object with the saved state in memory, as during training
    run = TrainingRun.__new__(TrainingRun)
    run.opts, run.vocabulary, run.shares = saved.options, saved.vocabulary, saved.shares
    run.state = saved.state
    for name in ("syn0", "syn1", "syn1neg", "threads", "progress", "alphas", "losses"):
        setattr(run.state, name, np.array(getattr(saved.state, name)))
    run.tree_given, run.train_words = False, saved.meta["epoch_words"]
    run.token_array = np.zeros(saved.meta["n_tokens"], dtype=np.int8)
    folder = os.path.dirname(path)
    target, copy = os.path.join(folder, "written.w2v"), os.path.join(folder, "copied.w2v")
    writes, copies, durable = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        save_run(target, run)
        writes.append(time.perf_counter() - start)
        start = time.perf_counter()  # cp replaces the previous copy, as a checkpoint replaces its file
        subprocess.run(["cp", target, copy], check=True)
        copies.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(["sh", "-c", 'cp "$0" "$1" && sync "$1"', target, copy], check=True)
        durable.append(time.perf_counter() - start)
    return writes, copies, durable, os.path.getsize(target)


def time_starts(path, corpus, size, repeat, folder):
    """Alternately start a resumed run, a fresh run of the same corpus and flags, and
    the floor (:data:`_FLOOR`); return the three lists of seconds from process start
    to the first training call."""
    out = os.path.join(folder, "v.txt")
    commands = {"resume": ["-c", _FIRST_WORD, "-resume", path, "-debug", "0", "-output", out],
                "fresh": ["-c", _FIRST_WORD, "-train", corpus, "-size", str(size), "-hs", "1", "-threads", "2",
                          "-debug", "0", "-output", out],
                "floor": ["-c", _FLOOR]}
    times = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            start = time.time()
            result = subprocess.run([sys.executable, *command], capture_output=True, check=True, cwd=REPO)
            times[name].append(float(result.stdout.decode().split()[-1]) - start)
    return times["resume"], times["fresh"], times["floor"]


def resume_accuracy(corpus, folder, seeds, size, iterations, questions):
    """For each seed: accuracy of an uninterrupted 2-thread run, and of a run
    interrupted mid-epoch (Ctrl-C halfway through its words) and resumed. Returns
    two lists of accuracies (%)."""
    from word2vec_cli.api import Vectors
    from word2vec_cli.model.options import TrainOptions
    from word2vec_cli.query.accuracy import accuracy
    from word2vec_cli.training import run as runs
    from word2vec_cli.training.driver import train_model
    from word2vec_cli.training.run import TrainingInterrupted

    text = Path(questions).read_bytes()

    def score(result):
        vectors = Vectors(result.vocabulary.words, result.syn0, _trusted=True)
        return accuracy(vectors, text, threshold=30000).as_dict()["total"]["accuracy"]

    whole, resumed = [], []
    flags = dict(train=corpus, size=size, iter=iterations, threads=2, debug=0)
    original = runs.TrainingRun.train
    for seed in seeds:
        whole.append(score(train_model(TrainOptions(seed=seed, **flags))))
        checkpoint = os.path.join(folder, f"mid-{seed}.w2v")

        def train_until_half(self, on_tick=None, on_epoch=None):
            def tick(run):
                if on_tick is not None:
                    on_tick(run)
                if run.state.words_done > run.total_words // 2 + run.train_words // 3:
                    raise KeyboardInterrupt
            return original(self, on_tick=tick, on_epoch=on_epoch)

        runs.TrainingRun.train = train_until_half
        try:
            train_model(TrainOptions(seed=seed, checkpoint=checkpoint, checkpoint_every="1000", **flags))
        except TrainingInterrupted:
            pass
        finally:
            runs.TrainingRun.train = original
        resumed.append(score(train_model(TrainOptions(resume=checkpoint, debug=0))))
    return whole, resumed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--out", default="docs")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--iter", type=int, default=5)
    parser.add_argument("--accuracy-seeds", type=int, nargs="*", default=[],
                        help="also compare the analogy accuracy of uninterrupted and resumed 2-thread runs")
    parser.add_argument("--questions", default=str(REPO.parent / "shared" / "data" / "questions-words.txt"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ck-", dir=os.environ.get("BENCH_TMP")) as folder:
        corpus = args.corpus
        if corpus.endswith(".gz"):
            corpus = os.path.join(folder, "corpus.txt")
            with gzip.open(args.corpus, "rb") as source, open(corpus, "wb") as target:
                shutil.copyfileobj(source, target)
        checkpoint = make_checkpoint(corpus, folder, args.size, args.iter)
        writes, copies, durable, size = time_writes(checkpoint, args.repeat)
        resumes, fresh, floor = time_starts(checkpoint, corpus, args.size, args.repeat, folder)
        whole, resumed = (resume_accuracy(corpus, folder, args.accuracy_seeds, args.size, args.iter, args.questions)
                          if args.accuracy_seeds else ([], []))
    write, copy, resume = statistics.median(writes), statistics.median(copies), statistics.median(resumes)
    synced = statistics.median(durable)
    record = {"corpus": os.path.basename(args.corpus), "bytes": size, "repeat": args.repeat, "size": args.size,
              "write_s": writes, "cp_s": copies, "cp_sync_s": durable, "resume_s": resumes, "fresh_s": fresh, "floor_s": floor,
              "accuracy_seeds": args.accuracy_seeds, "accuracy_whole": whole, "accuracy_resumed": resumed, "machine": platform.platform(),
              "cpus": os.cpu_count(), "python": platform.python_version(),
              "date": datetime.datetime.now().isoformat(timespec="seconds")}
    lines = [
        "# Checkpoint and resume costs (scripts/bench_checkpoint.py)",
        "",
        f"Corpus {record['corpus']}, -size {args.size} -hs 1 -negative 5 -cbow 1 -threads 2, checkpoint after "
        f"epoch 1 of {args.iter}; model file {size / 1e6:.1f} MB; medians of {args.repeat} alternating runs; "
        f"{record['machine']}, {record['cpus']} CPUs, Python {record['python']}, {record['date']}.",
        "",
        "| measure | median | target |",
        "| --- | --- | --- |",
        f"| write a checkpoint (in-process, CRC-32s, fsync, atomic rename) | {write:.3f} s | |",
        f"| `cp` of a file of the same size | {copy:.3f} s | |",
        f"| `cp` then `sync` of the copy (durable, as a checkpoint is) | {synced:.3f} s | |",
        f"| ratio write / cp | {write / copy:.2f} | |",
        f"| ratio write / durable cp | {write / synced:.2f} | at most 2 |",
        f"| `-resume`: process start to the first trained word | {resume:.2f} s | at most 2 s |",
        f"| a fresh run of the same corpus: start to the first trained word | {statistics.median(fresh):.2f} s | |",
        f"| floor: Python, numpy and numba start, one compiled function loaded | {statistics.median(floor):.2f} s | |",
        "",
    ]
    if whole:
        def spread(values):
            return f"{statistics.mean(values):.2f} ± {statistics.stdev(values) if len(values) > 1 else 0:.2f}"

        lines += [f"Accuracy with 2 threads (-cbow 1 -negative 5 -hs 0 -size {args.size} -iter {args.iter}, "
                  f"questions-words, 30,000 words; seeds {' '.join(map(str, args.accuracy_seeds))}; mean ± sd): "
                  f"uninterrupted {spread(whole)} %, interrupted mid-epoch after half the words and resumed "
                  f"{spread(resumed)} %.", ""]
    os.makedirs(args.out, exist_ok=True)
    Path(args.out, "bench_checkpoint.md").write_text("\n".join(lines))
    Path(args.out, "bench_checkpoint.json").write_text(json.dumps(record, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
