"""Compiling the kernels ahead of a first run: ``python -m word2vec_cli.training.warm``.

numba compiles the kernels the first time they run and keeps them in its on-disk
cache (see the README, "First run"); a first training run in a mode otherwise waits
for its kernel. :func:`warm_up` trains a small generated text once in each mode
asked for, through the same driver as ``word2vec``, so that every kernel of such a
run is compiled and cached: counting, tables, training, writing the vectors.
``make install`` runs it.
"""

import argparse
import os
import sys
import tempfile
import time

#: The modes a warm-up compiles by default (``-cbow``, ``-hs``, ``-negative``), and the others.
MODES = {
    "cbow-ns": dict(cbow=1, hs=0, negative=5),
    "sg-ns": dict(cbow=0, hs=0, negative=5),
    "cbow-hs": dict(cbow=1, hs=1, negative=0),
    "sg-hs": dict(cbow=0, hs=1, negative=0),
}
OTHER_MODES = {
    "sg-batch": dict(cbow=0, hs=0, negative=5, batch=1),
    "cwindow": dict(type=2, hs=0, negative=5),
    "structured": dict(type=3, hs=0, negative=5),
    # both output layers, and the kernels with the -l2/-cap code (any mode with -l2 or -cap)
    "cbow-hs-ns": dict(cbow=1, hs=1, negative=5),
    "sg-hs-ns": dict(cbow=0, hs=1, negative=5),
    "cbow-l2": dict(cbow=1, hs=1, negative=5, l2=1e-4),
    "sg-l2": dict(cbow=0, hs=1, negative=5, l2=1e-4),
    "classes": dict(cbow=1, hs=0, negative=5, classes=3),
}

#: The tools whose kernels ``--all`` compiles too, as ``word2vec`` arguments
#: (``{v}``: vectors, ``{t}``: the text, ``{q}``: questions, ``{o}``: an output).
TOOLS = {
    "distance": ["distance", "{v}"],
    "analogy": ["analogy", "{v}"],
    "accuracy": ["accuracy", "{v}", "--questions", "{q}"],
    "accuracy-mul": ["accuracy", "{v}", "--questions", "{q}", "--method", "mul"],
    "convert": ["convert", "{v}", "{o}", "--to", "text"],
    "phrases": ["phrases", "-train", "{t}", "-output", "{o}", "-min-count", "1", "-debug", "0"],
    "segment": ["segment", "-method", "maxmatch", "-debug", "0"],
    "segment-char": ["segment", "-method", "char", "-debug", "0"],
}


def _write_text(path):
    """Write a small text of 40 words repeated in 200 varied lines."""
    words = [f"w{k}" for k in range(40)]
    with open(path, "w", encoding="ascii") as out:
        for line in range(200):
            out.write(" ".join(words[(line * 7 + k * k) % 40] for k in range(12)) + "\n")


def warm_up(modes=tuple(MODES), stream=None):
    """Train a small text once in each of ``modes`` (names of :data:`MODES` or
    :data:`OTHER_MODES`), writing a line per mode to ``stream`` (None: silent).
    Returns ``{mode: seconds}``."""
    from ..model.options import TrainOptions
    from .driver import train_model

    seconds = {}
    with tempfile.TemporaryDirectory(prefix="word2vec-warm-") as tmp:
        text = os.path.join(tmp, "text.txt")
        _write_text(text)
        for k, mode in enumerate(modes):
            flags = {**MODES, **OTHER_MODES}[mode]
            start = time.perf_counter()
            # both vector formats: the first mode writes binary, the others text
            train_model(TrainOptions(train=text, output=os.path.join(tmp, "vectors"), size=8, iter=1, threads=2,
                                     min_count=1, debug=0, binary=int(k == 0), **flags))
            seconds[mode] = time.perf_counter() - start
            if stream is not None:
                print(f"{mode}: ready ({seconds[mode]:.1f} s)", file=stream, flush=True)
    return seconds


def warm_tools(tools=tuple(TOOLS), stream=None):
    """Run each tool of ``tools`` (names of :data:`TOOLS`) once on small generated inputs, in
    a child process each (the tools write to standard output), so that their kernels are
    compiled and cached. Writes a line per tool to ``stream`` (None: silent); raises
    RuntimeError naming a tool that fails. Returns ``{tool: seconds}``."""
    import subprocess

    from ..model.options import TrainOptions
    from .driver import train_model

    seconds = {}
    with tempfile.TemporaryDirectory(prefix="word2vec-warm-") as tmp:
        text, vectors = os.path.join(tmp, "text.txt"), os.path.join(tmp, "vectors.bin")
        questions = os.path.join(tmp, "questions.txt")
        _write_text(text)
        train_model(TrainOptions(train=text, output=vectors, size=8, iter=1, threads=1, min_count=1, debug=0,
                                 binary=1))
        with open(questions, "w", encoding="ascii") as out:
            out.write(": section\nw1 w2 w3 w4\nw5 w6 w7 w8\n")
        fill = dict(v=vectors, t=text, q=questions, o=os.path.join(tmp, "out.txt"))
        inputs = {"distance": "w1\n", "analogy": "w1 w2 w3\n", "segment": "\u4e2d\u6587\u5206\u8bcd abc\n",
                  "segment-char": "\u4e2d\u6587 abc\n"}
        for tool in tools:
            args = [part.format(**fill) for part in TOOLS[tool]]
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "word2vec_cli", *args], input=inputs.get(tool, "").encode(),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if done.returncode != 0:
                raise RuntimeError(f"warming {tool} failed: {done.stderr.decode(errors='replace').strip()[-300:]}")
            seconds[tool] = time.perf_counter() - start
            if stream is not None:
                print(f"{tool}: ready ({seconds[tool]:.1f} s)", file=stream, flush=True)
    return seconds


def main(argv=None):
    """The command line: compile the default modes' kernels (``--all``: every mode)."""
    parser = argparse.ArgumentParser(prog="python -m word2vec_cli.training.warm",
                                     description="Compile and cache the training kernels ahead of a first run.")
    parser.add_argument("--all", action="store_true",
                        help="every mode (also -batch 1, -type 2 and 3, -hs with -negative, -l2/-cap, -classes) "
                             "and the tools (distance, analogy, accuracy, convert, phrases, segment)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    modes = list(MODES) + (list(OTHER_MODES) if args.all else [])
    stream = None if args.quiet else sys.stderr
    warm_up(modes, stream=stream)
    if args.all:
        try:
            warm_tools(stream=stream)
        except RuntimeError as exc:
            sys.exit(f"word2vec_cli.training.warm: {exc}")


if __name__ == "__main__":
    main()
