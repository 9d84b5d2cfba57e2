#!/usr/bin/env python3
"""Where gensim's better analogy accuracy comes from, and ours with ``-quality``.

For each mode (cbow-ns, sg-ns by default, the reference's flags otherwise: size 100,
window 5, sample 1e-3, negative 5, min-count 5) this trains, for every seed:

* ours as the reference (``-quality 0``), ours with each ``-quality`` change alone
  (``nos``, ``clip``, ``floor``, ``sentence``, ``share``, ``init``, ``sample``), ours with all of
  them (``-quality 1``);
* gensim with the same flags (``Word2Vec(corpus_file=...)``, gensim's own
  ``min_alpha`` 1e-4), and optionally the reference binary (``--reference PATH``);

and scores every vector file with ``word2vec accuracy VECTORS 30000 < QUESTIONS``.
The runs of one seed alternate between implementations, so that wall times (of the
whole child process: text pass, training, writing) are comparable.

Writes ``OUT/quality-NAME.md`` (the cause table: mean accuracy, spread over the seeds
as min-max, the change against ``-quality 0``, the median wall time against gensim's)
and ``OUT/quality-NAME.json`` (every run; rerunning with the same ``--out`` reuses
finished runs, so an interrupted study resumes). Machine, corpus, flags and seeds
are recorded beside the numbers.

Example::

    python scripts/quality_study.py /tmp/dev.txt --name dev --seeds 1 2 3 --threads 2 \\
        --reference /tmp/scratch/word2vec --out docs
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import (COMMON_FLAGS, GENSIM_CHILD, MIN_COUNT, MODES, SHARED_QUESTIONS,  # noqa: E402
                   evaluate, machine_description, plain_corpus, run_measured, tail)

#: The configurations of ours: short name -> (label in the table, ``-quality`` value).
OURS = {"base": ("reference rules (-quality 0)", "0"), "nos": ("nos", "nos"), "clip": ("clip", "clip"),
        "floor": ("floor", "floor"), "sentence": ("sentence", "sentence"), "share": ("share", "share"),
        "init": ("init", "init"), "sample": ("sample", "sample"),
        "all": ("all (-quality 1)", "1")}
#: Epochs of each mode (the issue's measurements).
EPOCHS = {"cbow-ns": 5, "sg-ns": 2}
#: gensim with its default min_alpha (1e-4): the bench's child sets the reference's floor instead.
GENSIM_DEFAULT_CHILD = GENSIM_CHILD.replace("min_alpha=alpha * 1e-4", "min_alpha=1e-4").replace(
    "alpha=alpha,", "alpha=alpha, seed=p['seed'],")


def command(impl, quality, params, corpus, output, reference):
    """Return the command line of one training run."""
    flags = []
    for name in ("cbow", "size", "window", "sample", "hs", "negative", "iter", "threads", "min_count"):
        flags += [f"-{name.replace('_', '-')}", str(params[name])]
    if impl == "ours":
        return [sys.executable, "-m", "word2vec_cli", "-train", str(corpus), "-output", str(output), "-binary",
                "1", "-debug", "1", "-seed", str(params["seed"]), "-quality", quality, *flags]
    if impl == "gensim":
        return [sys.executable, "-c", GENSIM_DEFAULT_CHILD, str(corpus), str(output), json.dumps(params)]
    return [str(reference), "-train", str(corpus), "-output", str(output), "-binary", "1", "-debug", "0", *flags]


def study(args):
    """Run (or reuse) every run of the study; return the result dict."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    store = out / f"quality-{args.name}.json"
    result = json.loads(store.read_text()) if store.exists() else {"runs": []}
    done = {(r["mode"], r["config"], r["seed"]) for r in result["runs"] if r.get("accuracy") is not None}
    configs = [(OURS[name][0], "ours", OURS[name][1]) for name in args.configs if name in OURS]
    if "gensim" in args.configs:
        configs.append(("gensim", "gensim", None))
    if args.reference:
        configs.append(("reference binary", "reference", None))
    with tempfile.TemporaryDirectory(prefix="quality-") as tmp:
        workdir = Path(tmp)
        corpus = plain_corpus(Path(args.corpus), workdir)
        for mode in args.modes:
            for seed in args.seeds:
                params = {**COMMON_FLAGS, **MODES[mode], "iter": EPOCHS[mode], "threads": args.threads,
                          "min_count": MIN_COUNT, "seed": seed}
                for label, impl, quality in configs:
                    if (mode, label, seed) in done:
                        continue
                    vectors, log = workdir / "vectors.bin", workdir / "run.log"
                    cmd = command(impl, quality, params, corpus, vectors, args.reference)
                    wall, rss, status = run_measured(cmd, log)
                    accuracy = None
                    if status == 0:
                        accuracy, _ = evaluate(vectors, Path(args.questions), workdir / "accuracy.log")
                    else:
                        print(f"  {mode} {label} seed {seed} failed ({status}): {tail(log)}")
                    print(f"{mode:8} {label:30} seed {seed}: {accuracy} % in {wall:.1f} s", flush=True)
                    result["runs"].append({"mode": mode, "config": label, "impl": impl, "quality": quality,
                                           "seed": seed, "accuracy": accuracy, "wall_seconds": wall,
                                           "peak_rss_mb": rss})
                    store.write_text(json.dumps(result, indent=1))
    flags = dict(result.get("flags", {}))
    flags.update({mode: {**COMMON_FLAGS, **MODES[mode], "iter": EPOCHS[mode], "min_count": MIN_COUNT}
                  for mode in args.modes})
    result.update(corpus=str(args.corpus), questions=str(args.questions), threads=args.threads,
                  seeds=sorted({r["seed"] for r in result["runs"]}), machine=machine_description(), flags=flags)
    store.write_text(json.dumps(result, indent=1))
    return result


def table(result, modes):
    """Return the Markdown cause table of ``result``."""
    lines = [f"Corpus `{Path(result['corpus']).name}`, questions `{Path(result['questions']).name}` "
             f"(top 30000), {result['threads']} threads, seeds {', '.join(map(str, result['seeds']))}; "
             f"machine: {result['machine']['cpu']}, {result['machine']['usable_cores']} usable cores, "
             f"{result['machine']['date']}.", "",
             "| mode | configuration | accuracy % (mean) | min-max | vs -quality 0 | wall s (median) "
             "| wall vs gensim (median of same-seed ratios) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for mode in modes:
        runs = [r for r in result["runs"] if r["mode"] == mode and r["accuracy"] is not None]
        by_config = {}
        for r in runs:
            by_config.setdefault(r["config"], []).append(r)
        base = by_config.get("reference rules (-quality 0)")
        base_mean = statistics.mean(r["accuracy"] for r in base) if base else None
        # the machine's speed drifts (shared hosts): compare each run with gensim's run of
        # the same seed, made minutes later at most, and take the median of those ratios
        gensim_walls = {r["seed"]: r["wall_seconds"] for r in by_config.get("gensim", [])}
        flags = result["flags"][mode]
        known = {label for label, _ in OURS.values()} | {"gensim", "reference binary"}
        order = [label for label, _ in OURS.values()] + ["gensim", "reference binary"]
        for config, rows in sorted(by_config.items(), key=lambda item: order.index(item[0])
                                   if item[0] in order else len(order)):
            if config not in known:
                continue
            accs = [r["accuracy"] for r in rows]
            mean = statistics.mean(accs)
            wall = statistics.median(r["wall_seconds"] for r in rows)
            delta = f"{mean - base_mean:+.2f}" if base_mean is not None and rows[0]["impl"] == "ours" else ""
            paired = [r["wall_seconds"] / gensim_walls[r["seed"]] for r in rows if r["seed"] in gensim_walls]
            ratio = f"{statistics.median(paired):.2f}x" if paired else ""
            lines.append(f"| {mode} ({flags['iter']} epochs) | {config} | {mean:.2f} | {min(accs):.2f}-{max(accs):.2f} "
                         f"(n={len(accs)}) | {delta} | {wall:.1f} | {ratio} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="training text (.gz/.bz2/.xz decompressed first)")
    parser.add_argument("--name", default="dev", help="name of the output files (quality-NAME.md/json)")
    parser.add_argument("--questions", default=str(SHARED_QUESTIONS), help="analogy questions")
    parser.add_argument("--modes", nargs="+", default=list(EPOCHS), choices=list(EPOCHS))
    parser.add_argument("--configs", nargs="+", default=[c for c in OURS if c != "sentence"] + ["gensim"],
                        choices=list(OURS) + ["gensim"],
                        help="which configurations of ours to run")
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reference", help="path of the reference word2vec binary (optional)")
    parser.add_argument("--out", default="docs", help="output folder")
    args = parser.parse_args(argv)
    result = study(args)
    text = table(result, args.modes)
    (Path(args.out) / f"quality-{args.name}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
