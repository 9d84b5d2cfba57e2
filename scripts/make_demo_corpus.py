#!/usr/bin/env python3
"""Generate a synthetic corpus with planted analogies, plus its analogy questions.

The command line of :mod:`word2vec_cli.demo_corpus` (where the generator and its
description live)::

    python scripts/make_demo_corpus.py --out out/demo [--tokens 3000000] [--seed 1]

The generator's names (``generate``, ``SMALL_TOKENS``, ``TRAIN_FLAGS``,
``parse_accuracy_output``...) are importable from here too, for the scripts that
import this one as a sibling.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# the names other scripts (and older tests) take from here, as a sibling module
from word2vec_cli.demo_corpus import (CORPUS_NAME, DEFAULT_TOKENS, GENERATOR_VERSION,  # noqa: F401
                                      N_SEMANTIC, PARAMS_NAME, QUESTIONS_NAME, SECTIONS, SMALL_TOKENS,
                                      TRAIN_FLAGS, generate, is_up_to_date)
from word2vec_cli.query.accuracy_output import parse_accuracy_output  # noqa: F401


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a synthetic corpus with planted analogies (corpus.txt) and its "
                    "analogy questions (questions.txt, questions-words.txt format) into a directory.")
    parser.add_argument("--out", required=True, help="output directory (created if needed)")
    parser.add_argument("--tokens", type=int, default=DEFAULT_TOKENS,
                        help=f"number of words to write (default {DEFAULT_TOKENS:,}; "
                             f"{SMALL_TOKENS:,} is enough for >= 80%% accuracy)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--force", action="store_true",
                        help="regenerate even when the directory already holds this corpus")
    args = parser.parse_args(argv)
    if not args.force and is_up_to_date(args.out, args.tokens, args.seed):
        print(f"{Path(args.out) / CORPUS_NAME}: up to date ({args.tokens:,} tokens, seed {args.seed})")
        return 0
    start = time.perf_counter()
    corpus, questions = generate(args.out, args.tokens, args.seed)
    params = json.loads((Path(args.out) / PARAMS_NAME).read_text())
    n_questions = sum(1 for line in questions.open() if not line.startswith(":"))
    print(f"{corpus}: {params['tokens_written']:,} words in {params['sentences']:,} lines "
          f"({corpus.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")
    print(f"{questions}: {n_questions:,} questions in {len(SECTIONS)} sections")
    return 0


if __name__ == "__main__":
    sys.exit(main())
