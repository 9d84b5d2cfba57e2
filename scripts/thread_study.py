#!/usr/bin/env python3
"""Accuracy of ours against the reference binary with several threads.

With more than one thread neither implementation is reproducible, so each mode is
trained ``--runs`` times by each, alternating (ours, reference, ours, ...), and the
analogy accuracy (``word2vec accuracy VECTORS 30000 < QUESTIONS``) is compared as
mean, standard deviation and range. Flags: the reference's defaults (size 100,
window 5, sample 1e-3, min-count 5) with each mode's -cbow/-hs/-negative, ``--iter``
epochs and ``--threads`` threads; ours with ``-seed`` 0 (the reference's generators).

Writes ``OUT/threads-NAME.md`` (the table) and ``OUT/threads-NAME.json`` (every
run; rerunning with the same ``--out`` reuses finished runs). Machine, corpus and
flags are recorded beside the numbers.

Example::

    python scripts/thread_study.py /tmp/dev.txt --reference /tmp/scratch/word2vec --modes sg-hs --runs 8
    # variants of ours (runs stored apart): threads started at k/threads of the tokens,
    # and threads that meet at every epoch's end (as -eval makes them)
    python scripts/thread_study.py /tmp/dev.txt --reference R --impls ours --stdin
    python scripts/thread_study.py /tmp/dev.txt --reference R --impls ours --ours-flags "-eval questions-words.txt"
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import (COMMON_FLAGS, MIN_COUNT, MODES, SHARED_QUESTIONS, evaluate,  # noqa: E402
                   machine_description, plain_corpus, run_measured, tail)


def command(impl, params, corpus, output, reference, ours_flags=(), stdin=False):
    """Return the command line of one training run (ours reads standard input with ``stdin``)."""
    flags = []
    for name in ("cbow", "size", "window", "sample", "hs", "negative", "iter", "threads", "min_count"):
        flags += [f"-{name.replace('_', '-')}", str(params[name])]
    if impl == "ours":
        return [sys.executable, "-m", "word2vec_cli", "-train", "-" if stdin else str(corpus), "-output", str(output),
                "-binary", "1", "-debug", "0", *flags, *ours_flags]
    return [str(reference), "-train", str(corpus), "-output", str(output), "-binary", "1", "-debug", "0", *flags]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--reference", required=True, help="path of the reference word2vec binary")
    parser.add_argument("--name", default="dev")
    parser.add_argument("--questions", default=str(SHARED_QUESTIONS))
    parser.add_argument("--modes", nargs="+", default=["sg-hs"], choices=[m for m in MODES if m != "sg-batch"])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--iter", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default="docs")
    parser.add_argument("--ours-flags", default="", help="extra flags of ours, e.g. '-quality split' "
                        "(its runs are stored apart: 'ours -quality split')")
    parser.add_argument("--impls", nargs="+", default=["ours", "reference"], choices=["ours", "reference"])
    parser.add_argument("--stdin", action="store_true",
                        help="ours reads the corpus from standard input, where the threads start at k/threads of the "
                        "tokens instead of the bytes (its runs are stored apart: 'ours stdin')")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    store = out / f"threads-{args.name}.json"
    result = json.loads(store.read_text()) if store.exists() else {"runs": []}
    done = {(r["mode"], r["impl"], r["run"]) for r in result["runs"] if r.get("accuracy") is not None}
    with tempfile.TemporaryDirectory(prefix="threads-") as tmp:
        workdir = Path(tmp)
        corpus = plain_corpus(Path(args.corpus), workdir)
        for mode in args.modes:
            params = {**COMMON_FLAGS, **MODES[mode], "iter": args.iter, "threads": args.threads,
                      "min_count": MIN_COUNT}
            for run in range(1, args.runs + 1):
                for kind in args.impls:
                    impl = " ".join(["ours", *(["stdin"] if args.stdin else []), args.ours_flags]).strip()
                    impl = impl if kind == "ours" else kind
                    if (mode, impl, run) in done:
                        continue
                    vectors, log = workdir / "v.bin", workdir / "run.log"
                    # -eval FILE in --ours-flags: resolve a name under the shared data folder
                    extra = [str(SHARED_QUESTIONS.parent / f) if f.endswith(".txt") and "/" not in f else f
                             for f in args.ours_flags.split()]
                    cmd = command(kind, params, corpus, vectors, args.reference, extra, args.stdin)
                    wall, _, status = run_measured(cmd, log, corpus if kind == "ours" and args.stdin else None)
                    accuracy = evaluate(vectors, Path(args.questions), workdir / "acc.log")[0] if status == 0 else None
                    if status:
                        print(f"{mode} {impl} run {run} failed: {tail(log)}")
                    print(f"{mode:6} {impl:9} run {run}: {accuracy} % in {wall:.1f} s", flush=True)
                    result["runs"].append({"mode": mode, "impl": impl, "run": run, "accuracy": accuracy,
                                           "wall_seconds": wall})
                    store.write_text(json.dumps(result, indent=1))
    result.update(corpus=str(args.corpus), questions=str(args.questions), iter=args.iter, threads=args.threads,
                  machine=machine_description())
    store.write_text(json.dumps(result, indent=1))
    lines = [f"Corpus `{Path(args.corpus).name}`, questions `{Path(args.questions).name}` (top 30000), "
             f"{args.threads} threads, -iter {args.iter}, other flags the reference's defaults; "
             f"{result['machine']['cpu']}, {result['machine']['date']}.", "",
             "| mode | implementation | runs | accuracy % mean | sd | min-max | wall s (median) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for mode in args.modes:
        means = {}
        impls = sorted({r["impl"] for r in result["runs"] if r["mode"] == mode}, key=lambda i: (i == "reference", i))
        for impl in impls:
            accs = [r["accuracy"] for r in result["runs"]
                    if r["mode"] == mode and r["impl"] == impl and r["accuracy"] is not None]
            if not accs:
                continue
            means[impl] = statistics.mean(accs)
            sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
            wall = statistics.median(r["wall_seconds"] for r in result["runs"]
                                     if r["mode"] == mode and r["impl"] == impl and r["accuracy"] is not None)
            lines.append(f"| {mode} | {impl} | {len(accs)} | {means[impl]:.2f} | {sd:.2f} | "
                         f"{min(accs):.2f}-{max(accs):.2f} | {wall:.1f} |")
        if "reference" in means:  # differences against the reference, after its row
            for impl, mean in means.items():
                if impl != "reference":
                    lines.append(f"| {mode} | {impl} - reference | | {mean - means['reference']:+.2f} | | | |")
    text = "\n".join(lines) + "\n"
    (out / f"threads-{args.name}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
