#!/usr/bin/env python3
"""Project ``word2vec -dask`` to many machines, on paper.

Model: a Zipf(1) corpus with ``--vocabulary`` kept words; CBOW with negative
sampling (two matrices exchanged: syn0 and syn1neg), ``--size`` dimensions, a row
costing ``2 * size + 4`` bytes with its index (float16 values, an int32 index). In a round each of N workers
(machines of ``--cores`` cores training ``--core-speed`` words/s each) trains R
tokens; it sends the rows it changed (the expected number of distinct words in R
tokens, for each matrix) and receives the rows any worker changed (distinct words in
N * R tokens). Everything passes through the client's network interface
(``--bandwidth`` bytes/s), so the network time of a round is N * (up + down) /
bandwidth; the workers wait for it (``-dask-overlap 0``, the default). Two exchange policies are shown:
``all`` (every changed row every round) and ``hot`` (only rows expected at least
once per round, the others every ``-dask-sync`` rounds, neglected here).

Writes ``OUT/projection.md``::

    python scripts/dask_projection.py --out docs/dask
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/dask"))
    parser.add_argument("--vocabulary", type=int, default=1_000_000)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--cores", type=int, default=16)
    parser.add_argument("--core-speed", type=float, default=0.5e6, help="words/s per core (CBOW, negative 5)")
    parser.add_argument("--bandwidth", type=float, default=1.25e9, help="client bytes/s (10 Gbit/s)")
    args = parser.parse_args()
    p = 1.0 / np.arange(1, args.vocabulary + 1, dtype=np.float64)
    p /= p.sum()
    row = 2 * args.size + 4  # float16 values and an int32 index
    speed = args.cores * args.core_speed

    def distinct(n):
        return float(np.sum(-np.expm1(-n * p)))

    lines = ["| machines | round R (tokens per worker) | round's training | sent per round, all rows (up + down, per worker) "
             "| network, all rows | words/s, all rows | hot rows | sent per round, hot rows | network, hot rows "
             "| words/s, hot rows |", "|" + " --- |" * 10]
    balance = []
    for machines in (8, 32, 128):
        for tokens in (1e6, 4e6, 16e6, 64e6, 256e6):
            up, down = 2 * distinct(tokens) * row, 2 * distinct(machines * tokens) * row
            hot = int(np.count_nonzero(tokens * p >= 1))
            hot_bytes = 2 * min(hot, distinct(tokens)) * row + 2 * hot * row
            train = tokens / speed
            net_all = machines * (up + down) / args.bandwidth
            net_hot = machines * hot_bytes / args.bandwidth
            lines.append(f"| {machines} | {tokens / 1e6:.0f}M | {train:.1f} s | {up / 1e6:,.0f} + {down / 1e6:,.0f} MB "
                         f"| {net_all:.1f} s | {machines * tokens / (train + net_all) / 1e6:.0f}M | {hot:,} "
                         f"| {hot_bytes / 1e6:,.0f} MB | {net_hot:.1f} s | "
                         f"{machines * tokens / (train + net_hot) / 1e6:.0f}M |")
        # the round at which the network time equals the training time (full matrices exchanged)
        full = machines * 4 * args.vocabulary * row / args.bandwidth
        balance.append(f"| {machines} | {full:.0f} s | {full * speed / 1e6:,.0f}M | {machines * speed / 2 / 1e6:.0f}M "
                       f"| {machines * speed / 1e6:.0f}M |")
    text = (f"Assumptions: Zipf(1) corpus, {args.vocabulary:,} words kept, CBOW with negative sampling, "
            f"-size {args.size}, machines of {args.cores} cores at {args.core_speed / 1e6:.2f}M words/s per core "
            f"({speed / 1e6:.0f}M words/s per machine), a client interface of {args.bandwidth / 1e9:.2f} GB/s, "
            "no overlap of network and training.\n\n" + "\n".join(lines) + "\n\n"
            "Round length at which the network (whole matrices through the client) takes as long as training, "
            "and the words/s then (half the machines' speed) against the machines' speed:\n\n"
            "| machines | network per round | round R (tokens per worker) | words/s | machines' speed |\n"
            "| --- | --- | --- | --- | --- |\n" + "\n".join(balance) + "\n")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "projection.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
