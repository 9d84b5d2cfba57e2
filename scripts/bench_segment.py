#!/usr/bin/env python3
"""Speed of ``word2vec segment`` on inews against the targets of issue #14:

* jieba with 2 processes at least 1.8x its single-process speed (wall time);
* maxmatch at least 20 MB/s per core (bytes of input per CPU-second of one process,
  so that other load on a shared machine does not count against it; wall-clock
  figures are printed beside it).

Runs alternate (1 process, 2 processes, 1, 2, ...) and medians are reported. Writes
docs/bench_segment.md (with the machine, the load average and the flags).

Usage: nice -n 10 python scripts/bench_segment.py [--input ../shared/data/zh/inews.txt.gz]
       [--jieba-mb 6] [--repeats 3]
"""

import argparse
import gzip
import os
import platform
import resource
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)

from word2vec_cli.segment.driver import line_blocks, segment_files  # noqa: E402
from word2vec_cli.segment.segmenters import make_segmenter  # noqa: E402


def sample(path, megabytes, folder):
    """Write the first ``megabytes`` MB of whole lines of ``path`` to a plain file."""
    opener = gzip.open if path.endswith(".gz") else open
    out = os.path.join(folder, f"sample-{megabytes}.txt")
    with opener(path, "rb") as source, open(out, "wb") as target:
        data = source.read(int(megabytes * 1e6) if megabytes else -1)
        target.write(data[:data.rfind(b"\n") + 1])
    return out


def in_memory(method, direction, path, repeats):
    """Return (MB per CPU-second, MB per wall-second) of one process over blocks in memory."""
    segmenter = make_segmenter(method, direction=direction)
    blocks = list(line_blocks([path]))
    size = sum(len(b.encode()) for b in blocks)
    segmenter.segment(blocks[0])
    cpu, wall = [], []
    for _ in range(repeats):
        c, w = time.process_time(), time.perf_counter()
        for block in blocks:
            segmenter.segment(block)
        cpu.append(size / (time.process_time() - c) / 1e6)
        wall.append(size / (time.perf_counter() - w) / 1e6)
    return statistics.median(cpu), statistics.median(wall), size


def processes(path, threads, folder):
    """Return (wall seconds, CPU seconds of this process and its workers) of
    segment_files(method=jieba) with ``threads``."""
    before = _cpu()
    start = time.perf_counter()
    segment_files([path], os.path.join(folder, "out.txt"), method="jieba", threads=threads, debug=0)
    return time.perf_counter() - start, _cpu() - before


def _cpu():
    """CPU seconds used by this process and its reaped children."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=os.path.join(REPO, "..", "shared", "data", "zh", "inews.txt.gz"))
    parser.add_argument("--jieba-mb", type=float, default=6.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(REPO, "docs", "bench_segment.md"))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        whole = sample(args.input, 0, folder)
        for method, direction in (("char", "both"), ("maxmatch", "forward"), ("maxmatch", "backward"),
                                  ("maxmatch", "both")):
            cpu, wall, size = in_memory(method, direction, whole, args.repeats)
            name = method if method == "char" else f"maxmatch -direction {direction}"
            target = "≥ 20 MB/s per core" if method == "maxmatch" else ""
            verdict = ("met" if cpu >= 20 else "missed") if target else ""
            rows.append(f"| {name} | 1 | {size / 1e6:.1f} | {cpu:.1f} | {wall:.1f} | {target} | {verdict} |")
            print(rows[-1], flush=True)
        part = sample(args.input, args.jieba_mb, folder)
        size = os.path.getsize(part)
        times = {1: [], 2: []}
        cpus = {1: [], 2: []}
        processes(part, 1, folder)  # warm jieba's cache
        for _ in range(args.repeats):
            for threads in (1, 2):
                wall, cpu = processes(part, threads, folder)
                times[threads].append(wall)
                cpus[threads].append(cpu)
        one, two = statistics.median(times[1]), statistics.median(times[2])
        cpu_one, cpu_two = statistics.median(cpus[1]), statistics.median(cpus[2])
        ratio = one / two
        # with two free cores the speed-up is bounded by the extra CPU work of 2 processes
        bound = 2 * cpu_one / cpu_two
        rows.append(f"| jieba (precise, HMM) | 1 | {size / 1e6:.1f} | {size / cpu_one / 1e6:.2f} | "
                    f"{size / one / 1e6:.2f} | | |")
        rows.append(f"| jieba (precise, HMM) | 2 | {size / 1e6:.1f} | {size / cpu_two / 1e6:.2f} (all processes) | "
                    f"{size / two / 1e6:.2f} | ≥ 1.8x one process | wall {ratio:.2f}x "
                    f"({'met' if ratio >= 1.8 else 'missed'}); CPU-work bound on 2 free cores {bound:.2f}x |")
        print(rows[-2:], flush=True)
    load = os.getloadavg()
    text = ["# Segmentation speed (scripts/bench_segment.py)", "",
            f"Input: {os.path.basename(args.input)} (inews, decompressed; jieba on its first {args.jieba_mb} MB). "
            f"Median of {args.repeats} runs; jieba runs alternate 1 and 2 processes and include start-up "
            "(reading, the worker pool), the single-process figures are blocks already in memory.",
            f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
            f"load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (shared machine). "
            f"Date: {time.strftime('%Y-%m-%d %H:%M')}.", "",
            "| segmenter | processes | MB | MB per CPU-second | MB per wall second | target | |",
            "|---|---|---|---|---|---|---|", *rows, ""]
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write("\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
