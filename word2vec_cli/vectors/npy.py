"""The numpy pair: ``X.npy`` (the float32 matrix, no pickles) and ``X.vocab`` (one
word a line)."""

import os

import numpy as np

from ..errors import Word2VecError
from ..files.inputs import check_readable
from ..files.outputs import atomic_output
from .words import WordVectors, _encode


def vocab_path(npy_path):
    """Return the ``.vocab`` file that goes with ``npy_path`` (``X.npy`` -> ``X.vocab``)."""
    npy_path = os.fspath(npy_path)
    stem = npy_path[:-4] if npy_path.endswith(".npy") else npy_path
    return stem + ".vocab"


def load_npy(path, limit=None):
    """Read a numpy pair: ``path`` (a 2-D matrix saved by numpy, no pickles) and its
    ``.vocab`` file (one word a line). Returns :class:`WordVectors`."""
    path = os.fspath(path)
    words_file = vocab_path(path)
    check_readable(path, "vector file")
    check_readable(words_file, "vocabulary file")
    try:
        matrix = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise Word2VecError(f"{path}: not a numpy matrix file ({exc})") from None
    if matrix.ndim != 2 or matrix.dtype.kind not in "fiu":
        raise Word2VecError(f"{path}: expected a 2-D numeric matrix, found shape {matrix.shape} of {matrix.dtype}")
    with open(words_file, "rb") as handle:
        words = handle.read().decode("utf-8", "surrogateescape").split("\n")
    if words and words[-1] == "":
        words.pop()
    if len(words) != matrix.shape[0]:
        raise Word2VecError(f"{words_file}: has {len(words)} words but {path} has {matrix.shape[0]} rows")
    n_rows = min(len(words), limit) if limit else len(words)
    with np.errstate(over="ignore"):  # a value beyond float32 becomes infinite, refused below
        rows = np.array(matrix[:n_rows], dtype=np.float32)
    bad = np.flatnonzero(~np.isfinite(rows).all(axis=1))
    if bad.size:
        raise Word2VecError(f"{path}, row {int(bad[0]) + 1}: NaN or infinite value (such vectors are refused)")
    return WordVectors(words[:n_rows], rows)




def save_npy(path, words, matrix):
    """Write ``matrix`` to ``path`` (``.npy``, float32) and the words, one a line, to
    the ``.vocab`` file beside it. Both are written atomically. Returns nothing."""
    path = os.fspath(path)
    word_bytes = [_encode(w) for w in words]
    for word in word_bytes:
        if b"\n" in word:
            raise Word2VecError(f"cannot write word {word!r} to a .vocab file: it contains a newline")
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    with atomic_output(path) as handle:
        np.save(handle, matrix, allow_pickle=False)
    with atomic_output(vocab_path(path)) as handle:
        handle.write(b"".join(w + b"\n" for w in word_bytes))
