#!/usr/bin/env python3
"""Benchmark word2vec_cli against gensim (and the reference binary, if given).

For each training mode (a set of the reference's flags) the whole command of each
implementation is run as a child process -- ours (``python -m word2vec_cli``:
vocabulary, training, writing), gensim (``Word2Vec(corpus_file=...)`` with the same
hyper-parameters, then ``save_word2vec_format``) and the reference ``word2vec``
binary -- alternately, ``--repeat`` times each. Reported per mode and
implementation: the median wall time, words/s (training words x epochs / wall;
also the training-phase speed each implementation reports itself), the child's peak
resident memory (``ru_maxrss`` from ``os.wait4``) and the analogy accuracy of the
vectors (``word2vec accuracy VECTORS 30000 < QUESTIONS``, the same evaluator for all).
Ours' vocabulary pass (``word2vec -train CORPUS -save-vocab FILE``: no training)
is timed separately, in MB/s. With ``--scaling`` ours also runs each mode on one
thread, alternating with the ``--threads`` runs, and the table gives the ratio of
the two training-phase speeds.

Writes ``OUT/bench.md`` (the table), ``OUT/bench.json`` (every run) and, when
matplotlib is installed, ``OUT/bench.png`` (words/s per mode). Compressed corpora
(.gz, .bz2, .xz) are decompressed to a temporary file first; timings exclude that.
Before timing, ours runs once untimed on a slice of the corpus so that numba's
compiled kernels are cached (compilation is not part of the measurement).

Examples::

    python scripts/bench.py out/demo/corpus.txt --out out/bench
    python scripts/bench.py dev-corpus.txt --modes cbow-ns sg-ns --repeat 5 --threads 2
    python scripts/bench.py dev-corpus.txt.gz --quick --modes cbow-ns      # smoke test
    python scripts/bench.py corpus.txt --reference ~/src/word2vec/bin/word2vec
    python scripts/bench.py dev-corpus.txt --no-gensim --scaling --modes cbow-ns sg-ns
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import importlib.util
import json
import lzma
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED_QUESTIONS, machine_description, word2vec_command  # noqa: E402  (sibling scripts)
from make_demo_corpus import parse_accuracy_output  # noqa: E402
MIN_COUNT = 5
ACCURACY_THRESHOLD = 30000
IMPLEMENTATIONS = ("ours", "gensim", "reference")

#: The reference's flags of every mode (``-iter`` is set by ``--iter``).
COMMON_FLAGS = {"size": 100, "window": 5, "sample": 1e-3}
MODES = {
    "cbow-ns": {"cbow": 1, "negative": 5, "hs": 0},
    "sg-ns": {"cbow": 0, "negative": 5, "hs": 0},
    "cbow-hs": {"cbow": 1, "negative": 0, "hs": 1},
    "sg-hs": {"cbow": 0, "negative": 0, "hs": 1},
    "sg-ns-300": {"cbow": 0, "negative": 15, "hs": 0, "size": 300},
    "sg-batch": {"cbow": 0, "negative": 5, "hs": 0, "batch": 1},
}
#: Flags only ours understands: the others run the mode without them (sg-batch -> sg-ns).
OURS_ONLY_FLAGS = ("batch",)

#: The gensim child: trains with the given hyper-parameters and saves binary vectors.
GENSIM_CHILD = r"""
import json, sys, time
from gensim.models import Word2Vec
corpus, output, p = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
alpha = 0.05 if p["cbow"] else 0.025          # the reference's defaults
model = Word2Vec(vector_size=p["size"], window=p["window"], sample=p["sample"], hs=p["hs"],
                 negative=p["negative"], sg=0 if p["cbow"] else 1, epochs=p["iter"],
                 min_count=p["min_count"], workers=p["threads"], alpha=alpha,
                 min_alpha=alpha * 1e-4)
model.build_vocab(corpus_file=corpus)
start = time.perf_counter()
model.train(corpus_file=corpus, total_words=model.corpus_total_words, epochs=model.epochs)
seconds = time.perf_counter() - start
model.wv.save_word2vec_format(output, binary=True)
print(json.dumps({"train_seconds": seconds,
                  "words_per_second": model.corpus_total_words * model.epochs / seconds}))
"""


# ---------------------------------------------------------------------------
# Running one child and measuring it
# ---------------------------------------------------------------------------

@dataclass
class Run:
    """One timed child process."""

    mode: str
    impl: str
    repeat: int
    command: list[str]
    wall_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    returncode: int = 0
    reported_words_per_second: float | None = None
    error: str = ""


def run_measured(command: list[str], log_path: Path, stdin_path: Path | None = None) -> tuple[float, float, int]:
    """Run ``command`` with its output in ``log_path``; return (wall s, peak RSS MB, exit status).

    The child is reaped with ``os.wait4``, whose rusage is that child's own (and its
    waited-for descendants'), so ``ru_maxrss`` is the peak of this run alone.
    """
    with open(log_path, "wb") as log, open(stdin_path or os.devnull, "rb") as stdin:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdin=stdin, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
    return wall, usage.ru_maxrss / 1024.0, child.returncode


_OURS_SPEED = re.compile(r"([\d,]+(?:\.\d+)?)\s*words/s")


def reported_speed(impl: str, log_text: str) -> float | None:
    """The training-phase words/s an implementation printed, if any."""
    if impl == "ours":
        found = _OURS_SPEED.findall(log_text)
        return float(found[-1].replace(",", "")) if found else None
    if impl == "gensim":
        for line in reversed(log_text.splitlines()):
            if line.startswith("{"):
                try:
                    return float(json.loads(line)["words_per_second"])
                except (ValueError, KeyError):
                    return None
    return None


def tail(path: Path, n: int = 2) -> str:
    try:
        lines = path.read_text(errors="replace").replace("\r", "\n").splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in lines[-n:] if line.strip())


# ---------------------------------------------------------------------------
# Commands of the three implementations
# ---------------------------------------------------------------------------

def mode_params(mode: str, iterations: int, threads: int) -> dict:
    return {**COMMON_FLAGS, **MODES[mode], "iter": iterations, "threads": threads, "min_count": MIN_COUNT}


def reference_flags(params: dict, ours: bool) -> list[str]:
    flags = []
    for name in ("cbow", "size", "window", "sample", "hs", "negative", "iter", "threads", "min_count", "batch"):
        if name in params and (ours or name not in OURS_ONLY_FLAGS):
            flags += [f"-{name.replace('_', '-')}", str(params[name])]
    return flags


def command_for(impl: str, params: dict, corpus: Path, output: Path, reference: Path | None) -> list[str]:
    if impl == "ours":
        return word2vec_command("-train", corpus, "-output", output, "-binary", "1", "-debug", "1",
                                *reference_flags(params, ours=True))
    if impl == "gensim":
        shared = {k: v for k, v in params.items() if k not in OURS_ONLY_FLAGS}
        return [sys.executable, "-c", GENSIM_CHILD, str(corpus), str(output), json.dumps(shared)]
    return [str(reference), "-train", str(corpus), "-output", str(output), "-binary", "1", "-debug", "0",
            *reference_flags(params, ours=False)]


def comparable_key(impl: str, params: dict) -> str:
    """Runs with equal keys are the same command: gensim's and the reference's sg-batch is sg-ns."""
    shown = params if impl == "ours" else {k: v for k, v in params.items() if k not in OURS_ONLY_FLAGS}
    return impl + json.dumps(shown, sort_keys=True)


# ---------------------------------------------------------------------------
# Corpus, questions, machine
# ---------------------------------------------------------------------------

def plain_corpus(corpus: Path, workdir: Path) -> Path:
    """``corpus`` itself, or a decompressed copy in ``workdir`` for .gz/.bz2/.xz."""
    openers = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
    opener = openers.get(corpus.suffix)
    if opener is None:
        return corpus
    target = workdir / corpus.with_suffix("").name
    print(f"decompressing {corpus} -> {target} (not timed)", flush=True)
    with opener(corpus, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return target


def default_questions(corpus: Path) -> Path | None:
    """The questions of a generated corpus (``questions.txt`` beside it), else questions-words.txt."""
    beside = corpus.parent / "questions.txt"
    if beside.is_file():
        return beside
    if SHARED_QUESTIONS.is_file():
        return SHARED_QUESTIONS
    return None


def package_version(name: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:  # noqa: BLE001 - not installed or no metadata
        return None


# ---------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------

@dataclass
class Summary:
    mode: str
    impl: str
    runs: int
    failed: int
    wall_seconds: float | None = None
    words_per_second: float | None = None
    reported_words_per_second: float | None = None
    peak_rss_mb: float | None = None
    accuracy: float | None = None
    questions_seen: int | None = None
    speed_vs_gensim: float | None = None
    note: str = ""
    wall_all: list[float] = field(default_factory=list)


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _vocabulary_command(corpus: Path, vocab_file: Path) -> list[str]:
    return word2vec_command("-train", corpus, "-save-vocab", vocab_file, "-min-count", MIN_COUNT, "-debug", 0)


def vocabulary_pass(corpus: Path, workdir: Path, repeat: int) -> dict:
    """Time ours' text pass alone (``-save-vocab``, no ``-output``).

    Returns wall s, MB/s and the training words (the sum of the saved counts). The
    same command on a one-line file gives the fixed start-up cost (interpreter,
    imports, loading the cached kernels), which ``net_mb_per_second`` leaves out.
    """
    vocab_file = workdir / "vocab.txt"
    tiny = workdir / "one-line.txt"
    tiny.write_bytes(b"a b c\n")
    command = _vocabulary_command(corpus, vocab_file)
    walls, startups, rss = [], [], []
    for _ in range(repeat):
        startup, _, _ = run_measured(_vocabulary_command(tiny, workdir / "tiny-vocab.txt"), workdir / "vocab.log")
        wall, peak, status = run_measured(command, workdir / "vocab.log")
        if status != 0:
            print(f"  vocabulary pass failed ({status}): {tail(workdir / 'vocab.log')}")
            return {"command": command, "failed": True}
        startups.append(startup)
        walls.append(wall)
        rss.append(peak)
    train_words, vocab_size = 0, 0
    for line in vocab_file.read_text(errors="replace").splitlines():
        parts = line.rsplit(" ", 1)
        if len(parts) == 2 and parts[1].isdigit():
            train_words += int(parts[1])
            vocab_size += 1
    wall, startup = statistics.median(walls), statistics.median(startups)
    size_mb = corpus.stat().st_size / 1e6
    return {"command": command, "wall_seconds": wall, "wall_all": walls, "startup_seconds": startup,
            "peak_rss_mb": max(rss), "corpus_mb": size_mb, "mb_per_second": size_mb / wall,
            "net_mb_per_second": size_mb / (wall - startup) if wall > startup else None,
            "train_words": train_words, "vocab_size": vocab_size}


def evaluate(vectors: Path, questions: Path, log: Path) -> tuple[float | None, int | None]:
    command = word2vec_command("accuracy", vectors, ACCURACY_THRESHOLD)
    _, _, status = run_measured(command, log, stdin_path=questions)
    parsed = parse_accuracy_output(log.read_text(errors="replace"))
    if status != 0 or "total" not in parsed:
        print(f"    accuracy of {vectors.name} failed ({status}): {tail(log)}")
        return None, None
    return parsed["total"], parsed.get("seen")


def warm_up(corpus: Path, workdir: Path, modes: list[str], threads: int) -> None:
    """Run ours once per mode (and its text pass) on the first ~2 MB of the corpus.

    numba compiles the kernels on first use and caches them on disk; this keeps the
    compilation out of the timed runs.
    """
    sample = workdir / "warmup.txt"
    with open(corpus, "rb") as src, open(sample, "wb") as dst:
        dst.write(src.read(2_000_000))
        dst.write(src.readline())
    print("warming up ours (compiling numba kernels, not timed) ...", flush=True)
    vocabulary_pass(sample, workdir, 1)
    for mode in modes:
        params = mode_params(mode, 1, threads)
        command = command_for("ours", params, sample, workdir / "warmup.bin", None)
        _, _, status = run_measured(command, workdir / "warmup.log")
        if status != 0:
            print(f"  warm-up of {mode} failed ({status}): {tail(workdir / 'warmup.log')}")
    for leftover in (sample, workdir / "warmup.bin"):
        leftover.unlink(missing_ok=True)


def timed_run(mode: str, impl: str, repeat: int, params: dict, corpus: Path, workdir: Path,
              runs_dir: Path, args) -> Run:
    """Run one implementation once on ``corpus``; its vectors go to ``workdir/MODE-IMPL.bin``."""
    output = workdir / f"{mode}-{impl}.bin"
    command = command_for(impl, params, corpus, output, args.reference)
    log = runs_dir / f"{mode}-{impl}-{repeat}.log"
    wall, peak, status = run_measured(command, log)
    run = Run(mode, impl, repeat, command, wall, peak, status,
              reported_speed(impl, log.read_text(errors="replace")))
    if status != 0:
        run.error = tail(log)
    state = f"{wall:7.2f} s {peak:7.0f} MB" if status == 0 else f"FAILED ({status}): {run.error}"
    print(f"  {mode:<10} {impl:<9} run {repeat}/{args.repeat}: {state}", flush=True)
    return run


def summarize(mode: str, impl: str, runs: list[Run], train_words: int | None, iterations: int) -> Summary:
    """Medians over the successful runs of one implementation in one mode."""
    ok = [run for run in runs if run.returncode == 0]
    wall = median_or_none([run.wall_seconds for run in ok])
    skipped = [f for f in OURS_ONLY_FLAGS if f in MODES[mode]]
    return Summary(
        mode, impl, len(runs), len(runs) - len(ok), wall_seconds=wall,
        words_per_second=train_words * iterations / wall if (wall and train_words) else None,
        reported_words_per_second=median_or_none([run.reported_words_per_second for run in ok]),
        peak_rss_mb=max((run.peak_rss_mb for run in ok), default=None),
        wall_all=[run.wall_seconds for run in ok],
        note=f"runs {mode} without -{', -'.join(skipped)}" if skipped and impl != "ours" else "")


def thread_scaling(mode: str, corpus: Path, workdir: Path, runs_dir: Path, args) -> dict:
    """Run ours on 1 thread and on ``args.threads``, alternately, ``args.repeat`` times.

    Returns the median training-phase words/s (ours' summary line) of each and their
    ratio: the speed-up of the extra threads, with vocabulary and writing left out.
    """
    speeds: dict[int, list[float]] = {1: [], args.threads: []}
    for r in range(args.repeat):
        for threads in speeds:
            params = mode_params(mode, args.iter, threads)
            log = runs_dir / f"{mode}-ours-threads{threads}-{r + 1}.log"
            output = workdir / f"{mode}-scaling.bin"
            wall, _, status = run_measured(command_for("ours", params, corpus, output, None), log)
            output.unlink(missing_ok=True)
            speed = reported_speed("ours", log.read_text(errors="replace")) if status == 0 else None
            if speed is not None:
                speeds[threads].append(speed)
            print(f"  {mode:<10} ours {threads} thread(s) run {r + 1}/{args.repeat}: "
                  + (f"{speed:,.0f} words/s" if speed else f"FAILED ({status}): {tail(log)}"), flush=True)
    one, many = median_or_none(speeds[1]), median_or_none(speeds[args.threads])
    return {"mode": mode, "threads": args.threads, "words_per_second_1": one,
            "words_per_second_n": many, "speedup": many / one if one and many else None,
            "runs_1": speeds[1], "runs_n": speeds[args.threads]}


def benchmark(args) -> dict:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs_dir = out / "runs"
    runs_dir.mkdir(exist_ok=True)
    impls = ["ours"]
    notes = []
    if args.no_gensim:
        notes.append("gensim skipped (--no-gensim)")
    elif importlib.util.find_spec("gensim") is None:
        notes.append("gensim is not installed in this interpreter: ours only "
                     "(pip install gensim, or: make bench)")
    else:
        impls.append("gensim")
    if args.reference:
        if Path(args.reference).is_file() and os.access(args.reference, os.X_OK):
            impls.append("reference")
        else:
            notes.append(f"reference binary {args.reference} is not an executable file: skipped")
    for note in notes:
        print(f"note: {note}")

    with tempfile.TemporaryDirectory(prefix="w2v-bench-", dir=args.tmpdir) as tmp:
        workdir = Path(tmp)
        corpus = plain_corpus(Path(args.corpus), workdir)
        questions = Path(args.questions) if args.questions else default_questions(Path(args.corpus))
        if questions and not questions.is_file():
            sys.exit(f"bench: no questions file {questions}")
        print(f"corpus {corpus} ({corpus.stat().st_size / 1e6:.1f} MB), questions: {questions or 'none'}")
        print(f"implementations: {', '.join(impls)}; modes: {', '.join(args.modes)}; "
              f"{args.repeat} repeat(s), {args.iter} epoch(s), {args.threads} thread(s)")

        warm_up(corpus, workdir, args.modes, args.threads)
        print("vocabulary pass of ours ...", flush=True)
        vocab = vocabulary_pass(corpus, workdir, args.repeat)
        train_words = vocab.get("train_words")
        if train_words:
            print(f"  {vocab['vocab_size']:,} words in the vocabulary, {train_words:,} training words; "
                  f"{vocab['wall_seconds']:.2f} s, {vocab['mb_per_second']:.1f} MB/s "
                  f"(start-up {vocab['startup_seconds']:.2f} s; without it "
                  f"{_fmt(vocab['net_mb_per_second'], '.1f')} MB/s)")

        runs: list[Run] = []
        measured: dict[str, Summary] = {}   # comparable key -> summary (sg-batch reuses sg-ns)
        summaries: list[Summary] = []
        for mode in args.modes:
            params = mode_params(mode, args.iter, args.threads)
            todo = [i for i in impls if comparable_key(i, params) not in measured]
            mode_runs: dict[str, list[Run]] = {i: [] for i in todo}
            for r in range(args.repeat):
                for impl in todo:      # alternate the implementations, repeat after repeat
                    run = timed_run(mode, impl, r + 1, params, corpus, workdir, runs_dir, args)
                    runs.append(run)
                    mode_runs[impl].append(run)
            for impl in impls:
                key = comparable_key(impl, params)
                if key in measured:    # the same command was measured under another mode
                    source = measured[key]
                    summaries.append(Summary(**{**asdict(source), "mode": mode,
                                                "note": f"same run as {source.mode}"}))
                    continue
                output = workdir / f"{mode}-{impl}.bin"
                summary = summarize(mode, impl, mode_runs[impl], train_words, args.iter)
                if questions and summary.wall_seconds is not None and output.is_file():
                    summary.accuracy, summary.questions_seen = evaluate(
                        output, questions, runs_dir / f"{mode}-{impl}.accuracy.log")
                if args.keep_vectors and output.is_file():
                    shutil.copy(output, out / output.name)
                output.unlink(missing_ok=True)
                measured[key] = summary
                summaries.append(summary)
            gensim = next((s for s in summaries if s.mode == mode and s.impl == "gensim"), None)
            for s in summaries:
                if s.mode == mode and gensim and gensim.wall_seconds and s.wall_seconds:
                    s.speed_vs_gensim = gensim.wall_seconds / s.wall_seconds
        scaling = []
        if args.scaling and args.threads > 1:
            print(f"thread scaling of ours: 1 vs {args.threads} threads ...", flush=True)
            scaling = [thread_scaling(mode, corpus, workdir, runs_dir, args) for mode in args.modes]

    return {"corpus": str(Path(args.corpus).resolve()), "questions": str(questions) if questions else None,
            "machine": machine_description(), "settings": {
                "modes": args.modes, "repeat": args.repeat, "iter": args.iter, "threads": args.threads,
                "min_count": MIN_COUNT, "accuracy_threshold": ACCURACY_THRESHOLD, "common_flags": COMMON_FLAGS,
                "mode_flags": {m: MODES[m] for m in args.modes}},
            "versions": {"word2vec_cli": package_version("word2vec-cli"), "gensim": package_version("gensim")},
            "implementations": impls, "notes": notes, "vocabulary_pass": vocab,
            "summary": [asdict(s) for s in summaries], "scaling": scaling, "runs": [asdict(r) for r in runs]}


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------

def _fmt(value, spec: str, missing: str = "-") -> str:
    return missing if value is None else format(value, spec)


def markdown_table(result: dict) -> str:
    m, s = result["machine"], result["settings"]
    lines = [f"# word2vec benchmark, {m['date']}", "",
             f"Machine: {m['cpu']}, {m['usable_cores']} usable cores; Python {m['python']}. "
             f"Corpus: `{result['corpus']}`. {s['threads']} threads, {s['iter']} epochs, min-count "
             f"{s['min_count']}, median of {s['repeat']} run(s), whole command (read, train, write).", ""]
    v = result["vocabulary_pass"]
    if v.get("train_words"):
        lines += [f"Ours' vocabulary pass alone (`-save-vocab`, no training): {v['wall_seconds']:.2f} s for "
                  f"{v['corpus_mb']:.1f} MB = {v['mb_per_second']:.1f} MB/s; of that, {v['startup_seconds']:.2f} s "
                  f"is start-up (same command on a one-line file), so the text pass reads "
                  f"{_fmt(v['net_mb_per_second'], '.1f')} MB/s ({v['vocab_size']:,} words kept, "
                  f"{v['train_words']:,} training words).", ""]
    lines += ["| mode | impl | median wall s | words/s | own words/s | peak MB | accuracy % | speed vs gensim |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in result["summary"]:
        wall = "failed" if row["wall_seconds"] is None else f"{row['wall_seconds']:.2f}"
        impl = row["impl"] + (f" ({row['note']})" if row["note"] else "")
        lines.append(f"| {row['mode']} | {impl} | {wall} | {_fmt(row['words_per_second'], ',.0f')} | "
                     f"{_fmt(row['reported_words_per_second'], ',.0f')} | {_fmt(row['peak_rss_mb'], '.0f')} | "
                     f"{_fmt(row['accuracy'], '.2f')} | {_fmt(row['speed_vs_gensim'], '.2f', '')}"
                     + ("x" if row["speed_vs_gensim"] is not None else "") + " |")
    lines += ["", "words/s = training words x epochs / median wall time of the whole command; own words/s = "
              "the training-phase speed the implementation reports itself (ours: its summary line; gensim: "
              "timed around `train`). Accuracy: `word2vec accuracy VECTORS 30000` on "
              f"`{result['questions'] or 'no questions'}`. speed vs gensim = gensim's wall time / this wall time."]
    if result.get("scaling"):
        n = result["scaling"][0]["threads"]
        lines += ["", f"Thread scaling of ours (training-phase words/s, median of {s['repeat']} alternating runs):",
                  "", f"| mode | 1 thread | {n} threads | speed-up |", "| --- | ---: | ---: | ---: |"]
        for row in result["scaling"]:
            lines.append(f"| {row['mode']} | {_fmt(row['words_per_second_1'], ',.0f')} | "
                         f"{_fmt(row['words_per_second_n'], ',.0f')} | {_fmt(row['speedup'], '.2f')}x |")
    for note in result["notes"]:
        lines.append(f"\nNote: {note}.")
    return "\n".join(lines) + "\n"


def bar_chart(result: dict, path: Path) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no chart (pip install matplotlib)"
    modes = result["settings"]["modes"]
    impls = result["implementations"]
    width = 0.8 / len(impls)
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(modes)), 4.5))
    for k, impl in enumerate(impls):
        values = []
        for mode in modes:
            row = next((r for r in result["summary"] if r["mode"] == mode and r["impl"] == impl), None)
            values.append((row or {}).get("words_per_second") or 0)
        xs = [i + (k - (len(impls) - 1) / 2) * width for i in range(len(modes))]
        bars = ax.bar(xs, [v / 1e3 for v in values], width, label=impl)
        ax.bar_label(bars, labels=[f"{v / 1e3:.0f}" if v else "" for v in values], fontsize=7)
    ax.set_xticks(range(len(modes)), modes)
    ax.set_ylabel("thousand words/s (whole command)")
    m = result["machine"]
    ax.set_title(f"word2vec training speed: {m['cpu']}, {m['usable_cores']} cores, "
                 f"{result['settings']['threads']} threads, {m['date']}", fontsize=9)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return f"chart: {path}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark word2vec_cli against gensim and, optionally, the reference word2vec binary: "
                    "median wall time, words/s, peak memory and analogy accuracy per training mode.",
        epilog="Modes: " + "; ".join(f"{m}: " + " ".join(reference_flags({**COMMON_FLAGS, **f}, ours=True))
                                     for m, f in MODES.items()))
    parser.add_argument("corpus", help="training text (.gz/.bz2/.xz decompressed first, untimed)")
    parser.add_argument("--out", default="out/bench", help="directory for bench.md, bench.json, bench.png "
                                                           "and the run logs (default out/bench)")
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES), metavar="MODE",
                        help=f"modes to run (default all: {' '.join(MODES)})")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each implementation per mode (default 3)")
    parser.add_argument("--iter", type=int, default=5, help="training epochs (default 5)")
    parser.add_argument("--threads", type=int, default=2, help="worker threads of every implementation "
                                                               "(default 2)")
    parser.add_argument("--reference", metavar="PATH", help="the reference's compiled word2vec binary")
    parser.add_argument("--questions", metavar="PATH",
                        help="analogy questions (default: questions.txt beside the corpus if present, "
                             "else ../shared/data/questions-words.txt)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 repeat, 1 epoch")
    parser.add_argument("--no-gensim", action="store_true", help="run ours (and the reference) only")
    parser.add_argument("--keep-vectors", action="store_true", help="keep each mode's vectors in --out")
    parser.add_argument("--scaling", action="store_true",
                        help="also run ours on 1 thread and report the speed-up of --threads")
    parser.add_argument("--tmpdir", help="where to decompress the corpus and write vectors (default: system temp)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.iter = 1, 1
    if args.repeat < 1 or args.iter < 1 or args.threads < 1:
        parser.error("--repeat, --iter and --threads must be positive")
    if not Path(args.corpus).is_file():
        parser.error(f"no corpus file {args.corpus}")

    result = benchmark(args)
    out = Path(args.out)
    table = markdown_table(result)
    (out / "bench.md").write_text(table)
    (out / "bench.json").write_text(json.dumps(result, indent=1) + "\n")
    print()
    print(table)
    print(f"table: {out / 'bench.md'}; raw numbers: {out / 'bench.json'}")
    print(bar_chart(result, out / "bench.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
