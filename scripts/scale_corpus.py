#!/usr/bin/env python3
"""Memory and time per word on corpora far larger than memory (1, 4, 16 GB of text).

For each size, a seeded generator writes Zipf-distributed text (``--zipf`` exponent,
truncated to ``--distinct`` word forms; sentences of 20 words) straight into ``word2vec
-train -`` (no text file on disk), which trains one epoch (``--flags``, by default
CBOW, negative sampling, 2 threads) and writes binary vectors. Recorded per size:
wall time, CPU seconds (user + system of the trainer, from ``os.wait4``; less
disturbed by other load than wall time), the training phase's own seconds (from
``-debug 1``), peak RSS (``ru_maxrss``), the largest file-backed (``RssFile``) and
anonymous (``RssAnon``) parts sampled from ``/proc/PID/status`` every 0.2 s, the
token file's size and the disk used in the trainer's temporary folder (sampled),
the vocabulary (distinct words counted, and kept), and the time and CPU per word.

Writes ``OUT/scaling.md`` and ``OUT/scaling.json`` (with the machine, flags and
seed). Run the small sizes first; each size needs about 4 bytes per word of disk
(the token file) plus the vectors::

    nice -n 10 python scripts/scale_corpus.py --sizes 1 4 --out docs/scaling
    python scripts/scale_corpus.py --sizes 0.01 --out /tmp/scale-smoke     # a smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine_description, word2vec_command  # noqa: E402

DEFAULT_FLAGS = ["-cbow", "1", "-size", "100", "-window", "5", "-negative", "5", "-hs", "0",
                 "-sample", "1e-4", "-iter", "1", "-min-count", "5", "-threads", "2", "-binary", "1"]
SENTENCE = 20
BLOCK_WORDS = 1 << 20


def word_forms(distinct: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the ``distinct`` word forms (aaaa, aaab, ...: at least four letters, so
    that a gigabyte holds about as many words as English text; most frequent first)
    as a uint8 matrix, one form a row followed by a space and padding, and their
    lengths with the space."""
    first = 26 ** 3 + 26 ** 2 + 26  # bijective base 26: the first four-letter number
    width = 1
    while (26 ** (width + 1) - 1) // 25 - 1 < first + distinct:
        width += 1
    forms = np.zeros((distinct, width + 1), dtype=np.uint8)
    lengths = np.zeros(distinct, dtype=np.int64)
    k = np.arange(distinct, dtype=np.int64) + 1 + first
    letters = []
    while np.any(k > 0):  # bijective base 26
        alive = k > 0
        digit = np.where(alive, (k - 1) % 26, -1)
        letters.append(digit)
        k = np.where(alive, (k - 1) // 26, 0)
    letters = letters[::-1]
    for row_letters in letters:
        present = row_letters >= 0
        forms[present, lengths[present]] = ord("a") + row_letters[present]
        lengths[present] += 1
    forms[np.arange(distinct), lengths] = ord(" ")
    return forms, lengths + 1


def generate(stream, n_bytes: int, seed: int, zipf: float, distinct: int) -> int:
    """Write at least ``n_bytes`` of Zipf text (sentences of :data:`SENTENCE` words)
    to ``stream``; return the words written. Vectorised: each block of ranks
    gathers rows of the form matrix and keeps the bytes within each form's length."""
    rng = np.random.default_rng(seed)
    forms, lengths = word_forms(distinct)
    # a Zipf law truncated to ``distinct`` ranks, sampled by inverting its distribution
    cdf = np.cumsum(np.arange(1, distinct + 1, dtype=np.float64) ** -zipf)
    cdf /= cdf[-1]
    columns = np.arange(forms.shape[1])
    written = words = 0
    while written < n_bytes:
        ranks = np.minimum(np.searchsorted(cdf, rng.random(BLOCK_WORDS)), distinct - 1)
        rows = forms[ranks]
        ends = lengths[ranks]
        rows[np.arange(SENTENCE - 1, BLOCK_WORDS, SENTENCE), ends[SENTENCE - 1::SENTENCE] - 1] = ord("\n")
        data = rows[columns[None, :] < ends[:, None]].tobytes()
        stream.write(data)
        written += len(data)
        words += BLOCK_WORDS
    return words


def _status(pid: int) -> dict:
    fields = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("RssFile", "RssAnon", "VmRSS")):
                name, value = line.split(":", 1)
                fields[name] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return fields


def _disk(folder: Path) -> tuple[int, int]:
    """Return (bytes of the token files, bytes allocated on disk) under ``folder``."""
    size = used = 0
    for path in folder.rglob("*"):
        try:
            st = path.stat()
        except OSError:
            continue
        if path.is_file():
            size += st.st_size
            used += st.st_blocks * 512
    return size, used


def run_size(gigabytes: float, flags: list[str], seed: int, zipf: float, distinct: int, work: Path) -> dict:
    """Generate and train one size; return its record."""
    n_bytes = int(gigabytes * 1e9)
    tmp = work / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    vectors = work / "vectors.bin"
    env = dict(os.environ, TMPDIR=str(tmp))
    started = time.perf_counter()
    trainer = subprocess.Popen(word2vec_command("-train", "-", "-output", vectors, "-debug", "1", *flags),
                               stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    peaks = {"RssFile": 0, "RssAnon": 0, "VmRSS": 0, "tokens": 0, "disk": 0}
    done = threading.Event()

    def sample():
        while not done.is_set():
            for name, value in _status(trainer.pid).items():
                peaks[name] = max(peaks[name], value)
            size, used = _disk(tmp)
            peaks["tokens"] = max(peaks["tokens"], size)
            peaks["disk"] = max(peaks["disk"], used)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = []
    reader = threading.Thread(target=lambda: stderr.append(trainer.stderr.read()), daemon=True)
    reader.start()
    words_generated = generate(trainer.stdin, n_bytes, seed, zipf, distinct)
    trainer.stdin.close()
    _, status, usage = os.wait4(trainer.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    reader.join()
    trainer.returncode = os.waitstatus_to_exitcode(status)
    text = stderr[0].decode(errors="replace") if stderr else ""
    if trainer.returncode != 0:
        raise SystemExit(f"word2vec failed on {gigabytes} GB: {text[-2000:]}")
    vocabulary = int(re.search(r"Vocab size: (\d+)", text).group(1))
    summary = re.search(r"(\d+) training words, ([\d.]+) s", text)
    train_words, train_seconds = int(summary.group(1)), float(summary.group(2))
    disk_vectors = vectors.stat().st_size
    vectors.unlink()
    shutil.rmtree(tmp, ignore_errors=True)
    cpu = usage.ru_utime + usage.ru_stime
    return {"gigabytes": gigabytes, "text_bytes": n_bytes, "words_generated": words_generated,
            "train_words": train_words, "vocabulary": vocabulary, "wall_seconds": wall, "cpu_seconds": cpu,
            "train_seconds": train_seconds, "peak_rss": usage.ru_maxrss * 1024, "peak_rss_file": peaks["RssFile"],
            "peak_rss_anon": peaks["RssAnon"], "token_file_bytes": peaks["tokens"], "disk_bytes": peaks["disk"],
            "vectors_bytes": disk_vectors, "ns_per_word_wall": 1e9 * wall / train_words,
            "ns_per_word_train": 1e9 * train_seconds / train_words, "ns_per_word_cpu": 1e9 * cpu / train_words}


def table(records: list[dict]) -> str:
    """Return the Markdown table of the records, with the ratios to the first size."""
    first = records[0]
    lines = ["| text | words | vocabulary | wall | training | CPU | ns/word wall | ns/word training | "
             "ns/word CPU | peak RSS | of which file-backed | anonymous | token file | disk |",
             "|" + " --- |" * 14]
    mb = 1e6
    for r in records:
        lines.append(
            f"| {r['gigabytes']:g} GB | {r['train_words'] / 1e6:,.0f}M | {r['vocabulary']:,} | "
            f"{r['wall_seconds']:,.0f} s | {r['train_seconds']:,.0f} s | {r['cpu_seconds']:,.0f} s | "
            f"{r['ns_per_word_wall']:.0f} | {r['ns_per_word_train']:.0f} "
            f"({r['ns_per_word_train'] / first['ns_per_word_train']:.2f}x) | {r['ns_per_word_cpu']:.0f} "
            f"({r['ns_per_word_cpu'] / first['ns_per_word_cpu']:.2f}x) | {r['peak_rss'] / mb:,.0f} MB "
            f"({r['peak_rss'] / first['peak_rss']:.2f}x) | {r['peak_rss_file'] / mb:,.0f} MB | "
            f"{r['peak_rss_anon'] / mb:,.0f} MB | {r['token_file_bytes'] / mb:,.0f} MB | "
            f"{(r['disk_bytes'] + r['vectors_bytes']) / mb:,.0f} MB |")
    return "\n".join(lines) + "\n"


def _machine_text() -> str:
    machine = machine_description()
    return f"{machine['cpu']}, {machine['usable_cores']} usable cores, Python {machine['python']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 4, 16], help="GB of text per run")
    parser.add_argument("--out", type=Path, default=Path("docs/scaling"))
    parser.add_argument("--work", type=Path, default=None, help="folder for the token files (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--append", action="store_true",
                        help="keep the records of other sizes already in OUT/scaling.json (one size per run, "
                        "e.g. the largest alone on a quiet machine); each record notes its machine and date")
    parser.add_argument("--zipf", type=float, default=1.1)
    parser.add_argument("--distinct", type=int, default=500_000)
    parser.add_argument("--flags", nargs=argparse.REMAINDER, default=DEFAULT_FLAGS,
                        help="word2vec flags (last option; default: %(default)s)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="scale-", dir=args.work))
    records = []
    json_path = args.out / "scaling.json"
    if args.append and json_path.exists():
        records = [r for r in json.loads(json_path.read_text())["records"] if r["gigabytes"] not in args.sizes]
    try:
        for size in args.sizes:
            record = run_size(size, args.flags, args.seed, args.zipf, args.distinct, work)
            record["machine"] = machine_description()
            records.append(record)
            records.sort(key=lambda r: r["gigabytes"])
            print(json.dumps(record), flush=True)
            json_path.write_text(json.dumps({"machine": machine_description(), "flags": args.flags,
                                             "seed": args.seed, "zipf": args.zipf, "distinct": args.distinct,
                                             "records": records}, indent=1))
            (args.out / "scaling.md").write_text(
                f"Zipf text (exponent {args.zipf}, {args.distinct:,} word forms, seed {args.seed}) streamed into "
                f"`word2vec -train -` with `{' '.join(args.flags)}`; machine: {_machine_text()} (each record "
                f"in scaling.json notes its own machine and date).\n\n"
                + table(records))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
