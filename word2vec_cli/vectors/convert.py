"""Converting vector files between text, binary and the numpy pair."""

import os

from ..errors import UsageError
from .npy import save_npy
from .read import load
from .write import save_vectors

_SUFFIX_FORMATS = {".txt": "text", ".vec": "text", ".bin": "binary", ".npy": "npy"}


def format_for_path(path, to=None):
    """Return the output format for ``path``: ``to`` when given, else from the
    suffix (.txt/.vec text, .bin binary, .npy numpy pair). Raises UsageError."""
    if to is not None:
        if to not in ("text", "binary", "npy"):
            raise UsageError(f"unknown format {to!r}; use text, binary or npy")
        return to
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix not in _SUFFIX_FORMATS:
        raise UsageError(f"cannot tell the output format from '{path}': name it .txt, .bin or .npy, or give --to")
    return _SUFFIX_FORMATS[suffix]


def convert(source, target, to=None, normalize=False, limit=None, source_format=None):
    """Convert a vector file between text, binary and the numpy pair.

    ``to`` forces the output format (else the suffix of ``target`` decides);
    ``normalize`` stores unit vectors; ``limit`` keeps the first words only.
    Returns the :class:`Vectors` written.
    """
    target_format = format_for_path(target, to)
    vectors = load(source, format=source_format, limit=limit)
    if normalize:
        vectors = vectors.normalized()
    if target_format == "npy":
        save_npy(target, vectors.words, vectors.vectors)
    else:
        save_vectors(target, vectors.words, vectors.vectors, binary=target_format == "binary")
    return vectors
