#!/usr/bin/env python3
"""Dask data-parallel training against the single process, on one machine.

Runs, alternately and once per seed, ``word2vec`` in one process with ``--threads``
threads and ``word2vec -dask local:W -threads 1`` (W = ``--threads`` single-threaded
worker processes) for each ``--rounds`` length, on the same corpus, flags and
epochs. Reported per configuration: the median wall time of the whole command
(including the local cluster's start), the training phase's seconds (as the
command reports them), the mean analogy accuracy over the seeds with its spread
(``word2vec accuracy VECTORS 30000 < QUESTIONS``), and for Dask the rounds and the
bytes of arrays sent per round and per epoch (up: workers to client; down: client
to workers; all workers together).

Writes ``OUT/NAME.md`` and ``OUT/NAME.json`` (corpus, flags, seeds, machine; NAME is
``--name``, default ``dask``)::

    nice -n 10 python scripts/bench_dask.py ../shared/data/dev-corpus.txt.gz --out docs/dask
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED_QUESTIONS, machine_description, word2vec_command  # noqa: E402
from make_demo_corpus import parse_accuracy_output  # noqa: E402

FLAGS = ["-cbow", "1", "-size", "100", "-window", "5", "-negative", "5", "-hs", "0", "-sample", "1e-4",
         "-iter", "3", "-min-count", "5", "-binary", "1"]


def accuracy(vectors: Path, questions: Path) -> float:
    """Return the total analogy accuracy (percent) of ``vectors``."""
    out = subprocess.run(word2vec_command("accuracy", vectors, 30000), input=questions.read_bytes(),
                         capture_output=True, check=True).stdout.decode()
    return parse_accuracy_output(out)["total"]


def run(corpus: Path, vectors: Path, extra: list[str], flags: list[str], seed: int) -> dict:
    """Run one training command; return its wall time, training seconds and Dask figures."""
    command = word2vec_command("-train", corpus, "-output", vectors, "-debug", "1", "-seed", seed, *flags, *extra)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True)
    wall = time.perf_counter() - start
    text = done.stderr.decode(errors="replace")
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed: {text[-2000:]}")
    summary = re.search(r"(\d+) training words, ([\d.]+) s", text)
    record = {"wall": wall, "train_seconds": float(summary.group(2)), "train_words": int(summary.group(1))}
    dask = re.search(r"Dask: (\d+) workers, (\d+) rounds, (\d+) hot rows, sent ([\d.]+) MB up and ([\d.]+) MB down "
                     r"per round, (\d+) shard rounds retried; slowest worker: ([\d.]+) s training", text)
    if dask:
        record.update(workers=int(dask.group(1)), rounds=int(dask.group(2)), hot_rows=int(dask.group(3)),
                      mb_up_per_round=float(dask.group(4)), mb_down_per_round=float(dask.group(5)),
                      retried=int(dask.group(6)), worker_train_seconds=float(dask.group(7)))
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--questions", type=Path, default=SHARED_QUESTIONS)
    parser.add_argument("--out", type=Path, default=Path("docs/dask"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--rounds", nargs="+", default=["1000000"],
                        help="-dask-round values, each optionally with :1 for -dask-overlap 1 (e.g. 250000:1)")
    parser.add_argument("--name", default="dask", help="file name of the table and the record, without suffix")
    parser.add_argument("--table-only", action="store_true", help="rewrite OUT/NAME.md from OUT/NAME.json")
    parser.add_argument("--flags", nargs=argparse.REMAINDER, default=FLAGS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.table_only:
        saved = json.loads((args.out / f"{args.name}.json").read_text())
        args.flags, args.seeds = saved["flags"], saved["seeds"]
        iterations = int(args.flags[args.flags.index("-iter") + 1]) if "-iter" in args.flags else 5
        write(args, args.corpus, saved["records"], iterations)
        return
    scratch = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    try:
        corpus = args.corpus
        if corpus.suffix == ".gz":
            plain = scratch / corpus.stem
            with gzip.open(corpus, "rb") as source, open(plain, "wb") as target:
                shutil.copyfileobj(source, target)
            corpus = plain
        configs = {f"single process, {args.threads} threads": ["-threads", args.threads]}
        for spec in args.rounds:
            length, _, overlap = spec.partition(":")
            length, overlap = int(length), int(overlap or 0)
            name = f"-dask local:{args.threads}, -dask-round {length:,}" + (", -dask-overlap 1" if overlap else "")
            configs[name] = ["-threads", 1, "-dask", f"local:{args.threads}", "-dask-round", length,
                             "-dask-overlap", overlap]
        records = {name: [] for name in configs}
        vectors = scratch / "vectors.bin"
        for seed in args.seeds:  # alternate the configurations, seed by seed
            for name, extra in configs.items():
                record = run(corpus, vectors, extra, args.flags, seed)
                record["accuracy"] = accuracy(vectors, args.questions)
                record["seed"] = seed
                records[name].append(record)
                print(name, json.dumps(record), flush=True)
        iterations = int(args.flags[args.flags.index("-iter") + 1]) if "-iter" in args.flags else 5
        write(args, corpus, records, iterations)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def write(args, corpus: Path, records: dict, iterations: int) -> None:
    """Write the Markdown table and the JSON record."""
    base = next(iter(records.values()))
    base_wall = statistics.median(r["wall"] for r in base)
    base_train = statistics.median(r["train_seconds"] for r in base)
    base_accuracy = statistics.mean(r["accuracy"] for r in base)
    lines = ["| configuration | wall (median) | training phase | analogy accuracy (mean ± sd) | rounds | "
             "sent per round, all workers (up + down) | sent per epoch |", "|" + " --- |" * 7]
    for name, runs in records.items():
        wall = statistics.median(r["wall"] for r in runs)
        train = statistics.median(r["train_seconds"] for r in runs)
        scores = [r["accuracy"] for r in runs]
        spread = statistics.stdev(scores) if len(scores) > 1 else 0.0
        row = (f"| {name} | {wall:.1f} s ({wall / base_wall:.2f}x) | {train:.1f} s ({train / base_train:.2f}x) | "
               f"{statistics.mean(scores):.2f} ± {spread:.2f} ({statistics.mean(scores) - base_accuracy:+.2f}) |")
        if "rounds" in runs[0]:
            per_round = runs[0]["mb_up_per_round"] + runs[0]["mb_down_per_round"]
            row += (f" {runs[0]['rounds']} | {runs[0]['mb_up_per_round']:.1f} + {runs[0]['mb_down_per_round']:.1f} MB "
                    f"| {per_round * runs[0]['rounds'] / iterations:.0f} MB |")
        else:
            row += " - | - | - |"
        lines.append(row)
    (args.out / f"{args.name}.md").write_text(
        f"Corpus `{args.corpus.name}` ({base[0]['train_words']:,} words), flags "
        f"`{' '.join(map(str, args.flags))}`, seeds {args.seeds}, machine {machine_description()}.\n\n"
        + "\n".join(lines) + "\n")
    (args.out / f"{args.name}.json").write_text(json.dumps({"corpus": str(args.corpus), "flags": args.flags,
                                                    "seeds": args.seeds, "machine": machine_description(),
                                                    "records": records}, indent=1))


if __name__ == "__main__":
    main()
