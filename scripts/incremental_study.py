#!/usr/bin/env python3
"""Study: how to train word vectors when the corpus arrives in batches.

Splits each corpus into B contiguous batches (B = 2 and 4; contiguous, because that
is how text arrives) and, for every batch k, compares

* ``continue``: the model of batch k-1 trained further on batch k (``-init-model``),
  with and without ``-update-vocab 1``, and with each ``-alpha-schedule``
  (``restart``/``continue``);
* ``retrain``: a new model trained from scratch on batches 1..k;
* ``alone``: a new model trained on batch k only;
* with ``--hs``, also ``continue`` with ``-hs 1 -negative 0`` under each
  ``-hs-update`` (graft, rebuild, reset), after a first hs model.

Measured per run: analogy accuracy (correct answers over ALL questions of the set,
so that a model missing a word is not rewarded for skipping its questions; and over
the questions it could answer), the same on the questions with a word missing from
the vocabulary of batch 1 ("new-word questions"), wall time (training call,
including reading the text), and drift: the mean cosine of the words of the
previous stage's model between their vectors there and now.

Corpora: ``dev`` (shared dev-corpus, questions-words) and ``inews`` (shared Chinese
news, segmented into words with jieba, scored with CA8 and CA-translated; needs
``pip install jieba``). Every table and the plot are written to OUT
(``incremental_study.md``, ``.json``, ``.png``); the machine, flags and seeds beside
them. Runs in-process (the compiled kernels load once).

Example::

    nice -n 10 python scripts/incremental_study.py --out docs --seeds 1 2 3
"""

import argparse
import datetime
import gzip
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from word2vec_cli.api import Vectors  # noqa: E402
from word2vec_cli.model.options import TrainOptions  # noqa: E402
from word2vec_cli.query.accuracy import accuracy  # noqa: E402
from word2vec_cli.training.checkpoint import load_model  # noqa: E402
from word2vec_cli.training.driver import train_model  # noqa: E402

CONTINUE_VARIANTS = [("continue, vocab kept, alpha restart", 0, "restart"),
                     ("continue, vocab kept, alpha continue", 0, "continue"),
                     ("continue, vocab update, alpha restart", 1, "restart"),
                     ("continue, vocab update, alpha continue", 1, "continue")]
HS_VARIANTS = ["graft", "rebuild", "reset"]


def prepare_corpus(name, shared, folder, limit=None):
    """Return ``(text path, questions bytes)`` for corpus ``name``."""
    if name == "dev":
        path = os.path.join(folder, "dev.txt")
        with gzip.open(os.path.join(shared, "dev-corpus.txt.gz"), "rb") as source:
            Path(path).write_bytes(source.read())
        return path, Path(shared, "questions-words.txt").read_bytes()
    if name == "inews":
        try:
            import jieba
        except ImportError:
            sys.exit("incremental_study: the inews corpus needs jieba: pip install jieba")
        jieba.setLogLevel(60)
        path = os.path.join(folder, "inews.txt")
        with gzip.open(os.path.join(shared, "zh", "inews.txt.gz"), "rt", encoding="utf-8") as source, \
                open(path, "w", encoding="utf-8") as target:
            for number, line in enumerate(source):
                if limit is not None and number >= limit:
                    break
                target.write(" ".join(w for w in jieba.cut(line.strip()) if w.strip()) + "\n")
        questions = b"".join(Path(shared, "zh", f).read_bytes()
                             for f in ("ca8-semantic.txt", "ca8-morphological.txt", "ca-translated.txt"))
        return path, questions
    raise SystemExit(f"incremental_study: unknown corpus {name}")


def split(path, batches, folder, limit=None):
    """Split the text's lines (the first ``limit``) into ``batches`` contiguous files;
    return their paths and the paths of the concatenations of batches 1..k."""
    lines = Path(path).read_bytes().splitlines(keepends=True)[:limit]
    parts, sofar = [], []
    for k in range(batches):
        part = os.path.join(folder, f"b{batches}-{k + 1}.txt")
        Path(part).write_bytes(b"".join(lines[k * len(lines) // batches:(k + 1) * len(lines) // batches]))
        parts.append(part)
        joined = os.path.join(folder, f"b{batches}-1..{k + 1}.txt")
        Path(joined).write_bytes(b"".join(lines[:(k + 1) * len(lines) // batches]))
        sofar.append(joined)
    return parts, sofar


def new_word_questions(questions, known):
    """Return the questions (with their section lines) that use a word not in
    ``known`` (a set of upper-cased bytes)."""
    out = []
    for line in questions.splitlines():
        words = line.split()
        if line.startswith(b":") or (len(words) == 4 and any(w.upper() not in known for w in words)):
            out.append(line)
    return b"\n".join(out) + b"\n"


def score(model_path, questions):
    """Return ``(accuracy over all questions, over answerable ones, answerable)`` in %."""
    saved = load_model(model_path, verify=False)
    vectors = Vectors(saved.vocabulary.words, saved.state.syn0, _trusted=True)
    result = accuracy(vectors, questions, threshold=30000).as_dict()["total"]
    asked = max(1, sum(1 for line in questions.splitlines() if len(line.split()) == 4 and not line.startswith(b":")))
    return 100.0 * result["correct"] / asked, result["accuracy"] or 0.0, result["total"]


def drift(previous, current):
    """Mean cosine between the vectors of ``previous``'s words there and in ``current``."""
    a, b = load_model(previous, verify=False), load_model(current, verify=False)
    index = {w: i for i, w in enumerate(b.vocabulary.word_bytes)}
    pairs = [(i, index[w]) for i, w in enumerate(a.vocabulary.word_bytes) if w in index and i > 0]
    u = np.asarray(a.state.syn0)[[i for i, _ in pairs]].astype(np.float64)
    v = np.asarray(b.state.syn0)[[j for _, j in pairs]].astype(np.float64)
    cos = (u * v).sum(1) / np.linalg.norm(u, axis=1) / np.linalg.norm(v, axis=1)
    return float(np.mean(cos))


def train(out, text, base, init=None, **flags):
    """Train (``init``: further from that model) and save to ``out``; return seconds."""
    start = time.perf_counter()
    train_model(TrainOptions(train=text, save_model=out, init_model=init, **dict(base, **flags)))
    return time.perf_counter() - start


def study(name, text, questions, batches, seeds, base, folder, hs, limit=None):
    """Run every strategy on ``batches`` batches for each seed; return the records."""
    parts, sofar = split(text, batches, folder, limit)
    records = []
    for seed in seeds:
        opts = dict(base, seed=seed)
        first = os.path.join(folder, f"s{seed}-b{batches}-first.w2v")
        seconds = train(first, parts[0], opts)
        known = {w.upper() for w in load_model(first).vocabulary.word_bytes}
        newq = new_word_questions(questions, known)

        def record(strategy, stage, path, seconds, previous):
            overall, answered, seen = score(path, questions)
            new_overall, new_answered, new_seen = score(path, newq)
            records.append(dict(corpus=name, batches=batches, seed=seed, strategy=strategy, stage=stage,
                                overall=overall, answered=answered, seen=seen, new_overall=new_overall,
                                new_answered=new_answered, new_seen=new_seen, seconds=seconds,
                                drift=drift(previous, path) if previous else None))

        for strategy in [v[0] for v in CONTINUE_VARIANTS] + ["retrain", "alone"]:
            record(strategy, 1, first, seconds, None)
        previous = {v[0]: first for v in CONTINUE_VARIANTS}
        previous["retrain"] = previous["alone"] = first
        for k in range(1, batches):
            for label, update, schedule in CONTINUE_VARIANTS:
                out = os.path.join(folder, f"s{seed}-b{batches}-{k}-{update}{schedule}.w2v")
                took = train(out, parts[k], opts, init=previous[label], update_vocab=update,
                             alpha_schedule=schedule)
                record(label, k + 1, out, took, previous[label])
                previous[label] = out
            for label, text_k in (("retrain", sofar[k]), ("alone", parts[k])):
                out = os.path.join(folder, f"s{seed}-b{batches}-{k}-{label}.w2v")
                record(label, k + 1, out, train(out, text_k, opts), previous[label])
                previous[label] = out
        if hs:
            hs_opts = dict(opts, hs=1, negative=0)
            hs_first = os.path.join(folder, f"s{seed}-b{batches}-hsfirst.w2v")
            seconds = train(hs_first, parts[0], hs_opts)
            for variant in HS_VARIANTS:
                label = f"hs continue, vocab update, -hs-update {variant}"
                record(label, 1, hs_first, seconds, None)
                prev = hs_first
                for k in range(1, batches):
                    out = os.path.join(folder, f"s{seed}-b{batches}-{k}-hs{variant}.w2v")
                    took = train(out, parts[k], hs_opts, init=prev, update_vocab=1, hs_update=variant)
                    record(label, k + 1, out, took, prev)
                    prev = out
            record("hs retrain", 1, hs_first, seconds, None)
            prev = hs_first
            for k in range(1, batches):
                out = os.path.join(folder, f"s{seed}-b{batches}-{k}-hsretrain.w2v")
                record("hs retrain", k + 1, out, train(out, sofar[k], hs_opts), prev)
                prev = out
        for path in Path(folder).glob(f"s{seed}-b{batches}-*.w2v"):
            path.unlink()
    return records


def _mean_sd(values):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"


def table(records, name, batches):
    """Return the Markdown table of the last stage for one corpus and batch count."""
    rows = [r for r in records if r["corpus"] == name and r["batches"] == batches]
    last = max(r["stage"] for r in rows)
    strategies = list(dict.fromkeys(r["strategy"] for r in rows))
    lines = [f"### {name}, {batches} batches (after batch {last})", "",
             "| strategy | accuracy, all questions (%) | on answerable (%) | new-word questions, all (%) "
             "| wall time, all stages (s) | drift: mean cosine to previous stage |",
             "| --- | --- | --- | --- | --- | --- |"]
    for strategy in strategies:
        final = [r for r in rows if r["strategy"] == strategy and r["stage"] == last]
        seeds = sorted({r["seed"] for r in final})
        total_time = [sum(r["seconds"] for r in rows if r["strategy"] == strategy and r["seed"] == s
                          and r["stage"] > 1) + next(r["seconds"] for r in rows if r["seed"] == s and r["stage"] == 1
                                                     and r["strategy"] == strategy) for s in seeds]
        lines.append(f"| {strategy} | {_mean_sd([r['overall'] for r in final])} | "
                     f"{_mean_sd([r['answered'] for r in final])} | {_mean_sd([r['new_overall'] for r in final])} | "
                     f"{_mean_sd(total_time)} | {_mean_sd([r['drift'] for r in final])} |")
    return "\n".join(lines) + "\n"


def plot(records, path):
    """Accuracy (all questions) per stage, one panel per corpus and batch count."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("incremental_study: no plot (pip install matplotlib)", file=sys.stderr)
        return
    panels = sorted({(r["corpus"], r["batches"]) for r in records})
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4.2), squeeze=False)
    for ax, (name, batches) in zip(axes[0], panels):
        rows = [r for r in records if r["corpus"] == name and r["batches"] == batches]
        for strategy in dict.fromkeys(r["strategy"] for r in rows):
            stages = sorted({r["stage"] for r in rows if r["strategy"] == strategy})
            means = [statistics.mean(r["overall"] for r in rows if r["strategy"] == strategy and r["stage"] == s)
                     for s in stages]
            ax.plot(stages, means, marker="o", label=strategy)
        ax.set_title(f"{name}, {batches} batches")
        ax.set_xlabel("batches seen")
        ax.set_ylabel("analogy accuracy, all questions (%)")
        ax.grid(alpha=0.3)
    max(axes[0], key=lambda ax: len(ax.get_lines())).legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs")
    parser.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--corpora", nargs="+", default=["dev", "inews"])
    parser.add_argument("--batches", nargs="+", type=int, default=[2, 4])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--iter", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--hs", action="store_true", help="also compare the -hs-update ways (most batches only)")
    parser.add_argument("--limit-lines", type=int, help="use only the first lines of each corpus")
    parser.add_argument("--merge", nargs="+", metavar="JSON",
                        help="no training: write the tables and plot of these runs' incremental_study.json files "
                             "(each written by this script, e.g. one per corpus run side by side)")
    args = parser.parse_args()
    if args.merge:
        records, notes = [], []
        for path in args.merge:
            data = json.loads(Path(path).read_text())
            records += data["records"]
            notes += data["header"]
        write(args.out, notes, records)
        return
    base = dict(iter=args.iter, threads=args.threads, debug=0, size=100, cbow=1, negative=5, hs=0, min_count=5)
    records = []
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="incremental-study-") as folder:
        for name in args.corpora:
            text, questions = prepare_corpus(name, args.shared, folder, args.limit_lines)
            for batches in args.batches:
                records += study(name, text, questions, batches, args.seeds, base, folder,
                                 hs=args.hs and batches == max(args.batches), limit=args.limit_lines)
                print(f"{name} {batches} batches done ({time.time() - started:.0f} s)", file=sys.stderr)
    header = [
        "# Incremental training study (scripts/incremental_study.py)", "",
        f"Flags: -cbow 1 -size 100 -negative 5 -hs 0 -min-count 5 -iter {args.iter} -threads {args.threads}, "
        f"seeds {' '.join(map(str, args.seeds))} (mean ± standard deviation over seeds); hs rows: -hs 1 "
        "-negative 0. Batches are contiguous line ranges. Accuracy: analogy questions answered correctly "
        "among the 30,000 most frequent words, over all questions of the set (a model that lacks a "
        "word gets its questions wrong) and over those it could answer; new-word questions use a word not in "
        "batch 1's vocabulary. Wall time: the training calls of all stages (reading the text included). "
        "Drift: mean cosine of the previous stage's words between their vectors then and now.",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs (shared with other jobs), Python "
        f"{platform.python_version()}; {datetime.datetime.now().isoformat(timespec='minutes')}; "
        f"{time.time() - started:.0f} s in all.", ""]
    header[2] += (f" Corpora: {', '.join(args.corpora)}; batches {' '.join(map(str, args.batches))}"
                  f"{f'; first {args.limit_lines} lines' if args.limit_lines else ''}"
                  f"{'; hs rows with ' + str(max(args.batches)) + ' batches' if args.hs else ''}.")
    write(args.out, header, records)


def write(out, header, records):
    """Write the Markdown tables, the JSON records (with the header) and the plot."""
    body = [table(records, name, batches) for name, batches in dict.fromkeys((r["corpus"], r["batches"])
                                                                            for r in records)]
    os.makedirs(out, exist_ok=True)
    Path(out, "incremental_study.md").write_text("\n".join(header + body))
    Path(out, "incremental_study.json").write_text(json.dumps({"header": header, "records": records}, indent=1))
    plot(records, os.path.join(out, "incremental_study.png"))
    print("\n".join(header + body))


if __name__ == "__main__":
    main()
