#!/usr/bin/env python3
"""The study of questions 2 to 4: the hybrid hs+ns, word order, and L2.

Trains word2vec_cli (``python -m word2vec_cli``, one child process per run, so that
its wall time and peak memory are its own) on each corpus, several seeds per
setting, and evaluates the vectors: analogy accuracy by section (semantic,
syntactic; for Chinese CA8 the semantic and morphological files), and, for English,
word-pair similarity (Spearman's rho on WordSim-353 and SimLex-999).

Settings (all at ``-size 100 -window 5 -sample 1e-3 -min-count 5``, ``--threads``):

* Q2: CBOW and skip-gram with hs, ns (5) and both (the hybrid);
* Q3: CBOW against cwindow (``-type 2``), skip-gram against structured skip-gram
  (``-type 3``), all with ns;
* Q4: CBOW-ns with ``-l2`` over several orders of magnitude (both rows);
* equal time: the cheaper mode of each pair of Q2 and Q3 again, with as many epochs
  as fit in the dearer mode's median wall time (at least the base number).

Writes ``OUT/study-order.md`` (tables: mean, standard deviation and range over the
seeds), ``OUT/study-order.json`` (every run) and PNG plots (``study-q2.png``,
``study-q3.png``, ``study-q4.png``) when matplotlib is installed. The corpora are
given on the command line (never part of the repository).

Example::

    python scripts/study_order.py --corpus en=/tmp/dev.txt \\
        --corpus zh=/tmp/pku-gold.txt --seeds 3 --iter 1 --out docs
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import machine_description, run_measured, tail  # noqa: E402  (a sibling script)

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA = REPO_ROOT.parent / "shared" / "data"
COMMON = {"size": 100, "window": 5, "sample": 1e-3, "min-count": 5}
SETTINGS = {
    "cbow-hs": {"type": 0, "hs": 1, "negative": 0},
    "cbow-ns": {"type": 0, "hs": 0, "negative": 5},
    "cbow-hs+ns": {"type": 0, "hs": 1, "negative": 5},
    "sg-hs": {"type": 1, "hs": 1, "negative": 0},
    "sg-ns": {"type": 1, "hs": 0, "negative": 5},
    "sg-hs+ns": {"type": 1, "hs": 1, "negative": 5},
    "cwindow-ns": {"type": 2, "hs": 0, "negative": 5},
    "structured-ns": {"type": 3, "hs": 0, "negative": 5},
}
L2_VALUES = (1e-4, 1e-3, 1e-2, 1e-1)
#: (cheaper setting, dearer setting) pairs compared at equal wall time.
EQUAL_TIME = (("cbow-ns", "cbow-hs+ns"), ("sg-ns", "sg-hs+ns"), ("cbow-ns", "cwindow-ns"),
              ("sg-ns", "structured-ns"))


def evaluations(language: str) -> dict:
    """The evaluation files of a corpus language: analogy files and similarity pairs."""
    if language == "zh":
        return {"analogy": {"semantic": DATA / "zh" / "ca8-semantic.txt",
                            "morphological": DATA / "zh" / "ca8-morphological.txt"}, "similarity": {}}
    return {"analogy": {"all": DATA / "questions-words.txt"},
            "similarity": {"wordsim353": DATA / "wordsim353.tsv", "simlex999": DATA / "simlex999.txt"}}


def evaluate(vectors_path: Path, language: str) -> dict:
    """Return the figures of the vectors in ``vectors_path`` (percent and rho)."""
    from word2vec_cli import api
    from word2vec_cli.query.accuracy import accuracy
    from word2vec_cli.query.similarity import similarity

    vectors = api.load(vectors_path)
    figures = {}
    for name, path in evaluations(language)["analogy"].items():
        result = accuracy(vectors, path.read_bytes(), threshold=30000).as_dict()
        if name == "all":
            figures["semantic"] = result["semantic"]["accuracy"]
            figures["syntactic"] = result["syntactic"]["accuracy"]
            figures["total"] = result["total"]["accuracy"]
        else:
            figures[name] = result["total"]["accuracy"]
    for name, path in evaluations(language)["similarity"].items():
        figures[name] = similarity(vectors, path).spearman
    return figures


def train(corpus: Path, params: dict, seed: int, threads: int, epochs: int, workdir: Path) -> dict:
    """Train once in a child process; return wall time, peak memory and the output path."""
    output = workdir / "vectors.bin"
    argv = [sys.executable, "-m", "word2vec_cli", "-train", str(corpus), "-output", str(output), "-binary", "1",
            "-debug", "1", "-threads", str(threads), "-iter", str(epochs), "-seed", str(seed)]
    for key, value in {**COMMON, **params}.items():
        argv += [f"-{key}", str(value)]
    log = workdir / "train.log"
    os.environ["PYTHONPATH"] = str(REPO_ROOT)
    wall, rss, status = run_measured(argv, log)
    if status != 0:
        raise SystemExit(f"training failed ({status}): {' '.join(argv)}\n{tail(log, 5)}")
    return {"wall": wall, "rss_mb": rss, "output": output}


def run_setting(name, params, corpus_name, corpus, language, args, workdir, records, epochs=None):
    """Train and evaluate ``params`` with every seed; append the records."""
    epochs = epochs or args.base_epochs[corpus_name]
    for seed in range(args.seeds):
        run = train(corpus, params, seed, args.threads, epochs, workdir)
        figures = evaluate(run["output"], language)
        record = {"corpus": corpus_name, "setting": name, "params": params, "seed": seed, "epochs": epochs,
                  "wall": run["wall"], "rss_mb": run["rss_mb"], **figures}
        records.append(record)
        shown = "  ".join(f"{k} {v:.2f}" for k, v in figures.items() if isinstance(v, float))
        print(f"{corpus_name:3} {name:28} seed {seed} x{epochs}: {run['wall']:6.1f} s {run['rss_mb']:5.0f} MB  "
              f"{shown}", flush=True)


def spread(values):
    """``mean ± sd (min-max)`` of ``values`` (numbers or None)."""
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not values:
        return "-"
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.2f} ± {sd:.2f} ({min(values):.2f}-{max(values):.2f})"


def metric_names(language):
    return (["semantic", "syntactic", "total", "wordsim353", "simlex999"] if language == "en"
            else ["semantic", "morphological"])


def table(records, corpus_name, language, names) -> str:
    """A Markdown table of the settings ``names`` on one corpus."""
    metrics = metric_names(language)
    lines = ["| setting | epochs | wall s | peak MB | " + " | ".join(metrics) + " |",
             "|---|---|---|---|" + "---|" * len(metrics)]
    for name in names:
        runs = [r for r in records if r["corpus"] == corpus_name and r["setting"] == name]
        if not runs:
            continue
        lines.append(f"| {name} | {runs[0]['epochs']} | {spread([r['wall'] for r in runs])} | "
                     f"{max(r['rss_mb'] for r in runs):.0f} | "
                     + " | ".join(spread([r.get(m) for r in runs]) for m in metrics) + " |")
    return "\n".join(lines)


def plot(records, corpora, path: Path, names, metric_of, title, log_x=False, x_of=None):
    """Plot mean and seed range of the main metric per setting (one series per corpus)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing: no plots (pip install 'word2vec-cli[bench]')")
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for corpus_name, language in corpora:
        metric = metric_of(language)
        xs, means, lows, highs = [], [], [], []
        for i, name in enumerate(names):
            values = [r[metric] for r in records if r["corpus"] == corpus_name and r["setting"] == name
                      and r.get(metric) is not None]
            if not values:
                continue
            xs.append(x_of(name) if x_of else i)
            means.append(statistics.mean(values))
            lows.append(statistics.mean(values) - min(values))
            highs.append(max(values) - statistics.mean(values))
        ax.errorbar(xs, means, yerr=[lows, highs], marker="o", capsize=4, linestyle="-" if x_of else "none",
                    label=f"{corpus_name}: {metric}")
    if log_x:
        ax.set_xscale("symlog", linthresh=1e-5)
    if not x_of:
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=30, ha="right")
    ax.set_ylabel("analogy accuracy % (mean, bars: seed range)")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", required=True,
                        help="NAME=PATH[:EPOCHS]; a NAME starting with 'zh' is evaluated with CA8, others in "
                             "English; EPOCHS overrides --iter for this corpus")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--iter", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-equal-time-epochs", type=int, default=12)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs")
    args = parser.parse_args(argv)
    corpora = []
    base_epochs = {}
    for item in args.corpus:
        name, _, path = item.partition("=")
        path, _, epochs = path.partition(":")
        corpora.append((name, Path(path), "zh" if name.startswith("zh") else "en"))
        base_epochs[name] = int(epochs) if epochs else args.iter
    args.base_epochs = base_epochs
    records = []
    with tempfile.TemporaryDirectory(prefix="study-order-") as tmp:
        workdir = Path(tmp)
        for corpus_name, corpus, language in corpora:
            for name, params in SETTINGS.items():
                run_setting(name, params, corpus_name, corpus, language, args, workdir, records)
            for value in L2_VALUES:
                run_setting(f"cbow-ns l2={value:g}", {**SETTINGS["cbow-ns"], "l2": value}, corpus_name, corpus,
                            language, args, workdir, records)
            for cheap, dear in EQUAL_TIME:
                wall = {n: statistics.median(r["wall"] for r in records
                                             if r["corpus"] == corpus_name and r["setting"] == n)
                        for n in (cheap, dear)}
                base = base_epochs[corpus_name]
                epochs = max(base, min(args.max_equal_time_epochs * base, round(base * wall[dear] / wall[cheap])))
                name = f"{cheap} at {dear}'s time"
                if not any(r["setting"] == name and r["corpus"] == corpus_name for r in records):
                    run_setting(name, SETTINGS[cheap], corpus_name, corpus, language, args, workdir, records,
                                epochs=epochs)
            done = [c for c in corpora if any(r["corpus"] == c[0] for r in records)]
            write_report(records, done, args, argv)
    return 0


def write_report(records, corpora, args, argv):
    """Write the tables, the runs and the plots of the corpora done so far."""
    args.out.mkdir(parents=True, exist_ok=True)
    machine = machine_description()
    parts = ["# Study: the hybrid hs+ns (Q2), word order (Q3) and L2 (Q4)\n",
             "Generated by `scripts/study_order.py` "
             f"(`{' '.join(argv if argv is not None else sys.argv[1:])}`). Flags `-size 100 -window 5 -sample 1e-3 "
             f"-min-count 5 -threads {args.threads}`, epochs per corpus {args.base_epochs} unless a row says otherwise; seeds 0..{args.seeds - 1} "
             f"(`-seed`). Cells: mean ± standard deviation (min-max) over the seeds. Analogy: percent "
             f"correct (questions-words, or CA8 for Chinese), vocabulary limited to 30,000 words; similarity: "
             f"Spearman's rho. Machine: {machine}.\n"]
    for corpus_name, corpus, language in corpora:
        parts.append(f"## Corpus {corpus_name} (`{corpus.name}`)\n")
        parts.append("### Q2: hs, ns and the hybrid, at equal epochs\n")
        parts.append(table(records, corpus_name, language, [n for n in SETTINGS if "cwindow" not in n
                                                            and "structured" not in n]))
        parts.append("\n### Q3: order-sensitive types, at equal epochs\n")
        parts.append(table(records, corpus_name, language, ["cbow-ns", "cwindow-ns", "sg-ns", "structured-ns"]))
        parts.append("\n### Q2 and Q3 at equal wall time (the cheaper mode gets more epochs)\n")
        names = []
        for cheap, dear in EQUAL_TIME:
            names += [dear, f"{cheap} at {dear}'s time"]
        parts.append(table(records, corpus_name, language, list(dict.fromkeys(names))))
        parts.append("\n### Q4: L2 on CBOW-ns (input and output rows)\n")
        parts.append(table(records, corpus_name, language,
                           ["cbow-ns"] + [f"cbow-ns l2={v:g}" for v in L2_VALUES]))
        parts.append("")
    (args.out / "study-order.md").write_text("\n".join(parts) + "\n")
    (args.out / "study-order.json").write_text(json.dumps({"machine": machine, "args": vars(args) | {
        "out": str(args.out), "corpus": args.corpus}, "runs": records}, indent=1, default=str))
    corpora_lang = [(c, lang) for c, _, lang in corpora]

    def main_metric(language):
        return "total" if language == "en" else "semantic"

    plot(records, corpora_lang, args.out / "study-q2.png",
         [n for n in SETTINGS if "cwindow" not in n and "structured" not in n], main_metric,
         "Q2: hs, ns and hs+ns (equal epochs)")
    plot(records, corpora_lang, args.out / "study-q3.png",
         ["cbow-ns", "cwindow-ns", "cbow-ns at cwindow-ns's time", "sg-ns", "structured-ns",
          "sg-ns at structured-ns's time"], main_metric, "Q3: word order (equal epochs and equal time)")
    plot(records, corpora_lang, args.out / "study-q4.png", ["cbow-ns"] + [f"cbow-ns l2={v:g}" for v in L2_VALUES],
         main_metric, "Q4: L2 penalty on CBOW-ns", log_x=True,
         x_of=lambda n: float(n.split("=")[1]) if "=" in n else 0.0)
    print("\n".join(parts))


if __name__ == "__main__":
    sys.exit(main())
