#!/usr/bin/env python3
"""Benchmark the order-sensitive types against wang2vec, and the original modes
against an earlier checkout of word2vec_cli.

Two comparisons, each run side by side in one process, alternating implementations
within each repeat (so that other load on the machine hits both alike):

* ``-type 2`` (cwindow) and ``-type 3`` (structured skip-gram), with negative
  sampling and with hierarchical softmax: ours against wang2vec's ``word2vec``
  binary (``--wang2vec PATH``; build it yourself from wlin12/wang2vec, outside this
  repository), with the same flags.
* The four original modes (CBOW/skip-gram x ns/hs): ours against the sources of an
  earlier version (``--baseline-src DIR``, a directory holding its ``word2vec_cli``
  package, e.g. ``git archive main word2vec_cli | tar -x -C DIR``), to show that
  they did not get slower.

Reported per mode and implementation: median wall time, the median of the per-repeat
wall-time ratios (ours / other), the child's peak resident memory and the analogy
accuracy of its vectors (``word2vec accuracy VECTORS 30000 < questions-words.txt``,
the same evaluator for all; mean and range over the repeats). Writes
``OUT/bench-order.md`` and ``OUT/bench-order.json``.

Example::

    python scripts/bench_order.py /tmp/dev.txt --wang2vec /tmp/scratch/wang2vec/word2vec \\
        --baseline-src /tmp/scratch/main --threads 2 --iter 1 --repeat 3 --out docs
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import evaluate, machine_description, run_measured, tail  # noqa: E402  (sibling scripts)

REPO_ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = REPO_ROOT.parent / "shared" / "data" / "questions-words.txt"
COMMON = {"size": 100, "window": 5, "sample": 1e-3, "min-count": 5}
ORDER_MODES = {
    "cwindow-ns": {"type": 2, "hs": 0, "negative": 5},
    "cwindow-hs": {"type": 2, "hs": 1, "negative": 0},
    "structured-ns": {"type": 3, "hs": 0, "negative": 5},
    "structured-hs": {"type": 3, "hs": 1, "negative": 0},
}
ORIGINAL_MODES = {
    "cbow-ns": {"cbow": 1, "hs": 0, "negative": 5},
    "sg-ns": {"cbow": 0, "hs": 0, "negative": 5},
    "cbow-hs": {"cbow": 1, "hs": 1, "negative": 0},
    "sg-hs": {"cbow": 0, "hs": 1, "negative": 0},
}


def flags(params: dict) -> list[str]:
    """The command-line flags of ``params``."""
    out = []
    for key, value in params.items():
        out += [f"-{key}", str(value)]
    return out


def command(impl: str, params: dict, corpus: Path, output: Path, args) -> tuple[list[str], dict]:
    """Return ``(argv, environment)`` of one training run."""
    all_flags = flags({**COMMON, **params, "iter": args.iter, "threads": args.threads, "binary": 1})
    if impl == "wang2vec":
        return [str(args.wang2vec), "-train", str(corpus), "-output", str(output), *all_flags], dict(os.environ)
    env = dict(os.environ)
    if impl == "baseline":
        env["PYTHONPATH"] = str(Path(args.baseline_src).resolve())
    else:
        env["PYTHONPATH"] = str(REPO_ROOT)
    return [sys.executable, "-m", "word2vec_cli", "-train", str(corpus), "-output", str(output), "-debug", "1",
            *all_flags], env


def run_one(impl, mode, params, corpus, workdir, repeat, args) -> dict:
    """Train once with ``impl`` and evaluate; return the run's record."""
    output = workdir / f"{mode}-{impl}-{repeat}.bin"
    argv, env = command(impl, params, corpus, output, args)
    log = workdir / f"{mode}-{impl}-{repeat}.log"
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        wall, rss, status = run_measured(argv, log)
    finally:
        os.environ.clear()
        os.environ.update(old)
    record = {"mode": mode, "impl": impl, "repeat": repeat, "wall": wall, "rss_mb": rss, "status": status,
              "accuracy": None}
    if status == 0 and QUESTIONS.is_file():
        record["accuracy"], _ = evaluate(output, QUESTIONS, workdir / f"{mode}-{impl}-{repeat}.acc")
    elif status != 0:
        print(f"  {mode} {impl} failed ({status}): {tail(log)}")
    output.unlink(missing_ok=True)
    print(f"  {mode:14} {impl:9} #{repeat}: {wall:7.1f} s  {rss:6.0f} MB  accuracy {record['accuracy']}",
          flush=True)
    return record


def summarise(records, modes, impls) -> list[dict]:
    """Per mode: the medians, the wall-time ratio (ours / other) and accuracies."""
    rows = []
    for mode in modes:
        row = {"mode": mode}
        by_repeat = {}
        for impl in impls:
            runs = [r for r in records if r["mode"] == mode and r["impl"] == impl and r["status"] == 0]
            accs = [r["accuracy"] for r in runs if r["accuracy"] is not None]
            row[impl] = {"wall": statistics.median(r["wall"] for r in runs) if runs else None,
                         "rss_mb": max((r["rss_mb"] for r in runs), default=None),
                         "accuracy": statistics.mean(accs) if accs else None,
                         "accuracy_range": [min(accs), max(accs)] if accs else None}
            for r in runs:
                by_repeat.setdefault(r["repeat"], {})[impl] = r["wall"]
        ratios = [w["ours"] / w[impls[1]] for w in by_repeat.values() if len(w) == 2]
        row["ratio"] = statistics.median(ratios) if ratios else None
        rows.append(row)
    return rows


def table(rows, other: str) -> str:
    """A Markdown table of :func:`summarise`'s rows."""
    lines = [f"| mode | ours s | {other} s | ours / {other} (median of ratios) | ours MB | {other} MB "
             f"| ours accuracy % | {other} accuracy % |", "|---|---|---|---|---|---|---|---|"]

    def acc(cell):
        if cell["accuracy"] is None:
            return "-"
        low, high = cell["accuracy_range"]
        return f"{cell['accuracy']:.2f} ({low:.2f}-{high:.2f})"

    for row in rows:
        ours, them = row["ours"], row[other]
        lines.append(f"| {row['mode']} | {ours['wall'] or 0:.1f} | {them['wall'] or 0:.1f} | "
                     f"{row['ratio'] or 0:.2f} | {ours['rss_mb'] or 0:.0f} | {them['rss_mb'] or 0:.0f} | "
                     f"{acc(ours)} | {acc(them)} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--wang2vec", type=Path, help="wang2vec's word2vec binary")
    parser.add_argument("--baseline-src", type=Path, help="directory holding an earlier word2vec_cli package")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iter", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    plan = []
    if args.wang2vec:
        plan += [(mode, params, ("ours", "wang2vec")) for mode, params in ORDER_MODES.items()]
    if args.baseline_src:
        plan += [(mode, params, ("ours", "baseline")) for mode, params in ORIGINAL_MODES.items()]
    records = []
    with tempfile.TemporaryDirectory(prefix="bench-order-") as tmp:
        workdir = Path(tmp)
        # compile (cache) our kernels and the baseline's before timing anything
        head = workdir / "head.txt"
        with open(args.corpus, "rb") as source:
            head.write_bytes(source.read(300_000))
        for mode, params, impls in plan:
            for impl in impls:
                if impl != "wang2vec":
                    argv, env = command(impl, {**params}, head, workdir / "warm.bin", args)
                    old = dict(os.environ)
                    os.environ.update(env)
                    run_measured(argv, workdir / "warm.log")
                    os.environ.clear()
                    os.environ.update(old)
        for repeat in range(args.repeat):
            for mode, params, impls in plan:
                order = impls if repeat % 2 == 0 else impls[::-1]
                for impl in order:
                    records.append(run_one(impl, mode, params, args.corpus, workdir, repeat, args))
    machine = machine_description()
    parts = [f"# Order-sensitive types against wang2vec; original modes before and after\n",
             f"Corpus `{args.corpus.name}`, flags {flags(COMMON)} -iter {args.iter} -threads {args.threads}; "
             f"{args.repeat} alternating repeats. Machine: {machine}.\n"]
    result = {"machine": machine, "args": {k: str(v) for k, v in vars(args).items()}, "runs": records}
    if args.wang2vec:
        rows = summarise(records, list(ORDER_MODES), ("ours", "wang2vec"))
        result["wang2vec"] = rows
        parts += ["## -type 2 and -type 3: ours against wang2vec\n", table(rows, "wang2vec"), ""]
    if args.baseline_src:
        rows = summarise(records, list(ORIGINAL_MODES), ("ours", "baseline"))
        result["baseline"] = rows
        parts += [f"## Original modes: this version against {args.baseline_src.name}\n", table(rows, "baseline"),
                  ""]
    (args.out / "bench-order.md").write_text("\n".join(parts) + "\n")
    (args.out / "bench-order.json").write_text(json.dumps(result, indent=1))
    print("\n".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
