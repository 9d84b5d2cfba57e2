"""gensim's ``save_word2vec_format`` / ``load_word2vec_format`` on this package's files.

Binary files are the reference's (which gensim reads); text files are written as
gensim writes them: every float32 with enough digits to read back exactly
(``%.9g``), no trailing space. Reading goes through :mod:`.read` (both formats,
either writer); words, kept as UTF-8 with surrogate escapes there, are decoded
again when another ``encoding`` or ``unicode_errors`` is asked for.
"""

import os

import numpy as np

from ..errors import Word2VecError
from ..files.outputs import atomic_output

#: Rows formatted per write when saving text (keeps the buffer a few MB).
_TEXT_ROWS = 4096


def save_word2vec_format(path, words, matrix, binary=False):
    """Write ``words`` and ``matrix`` to ``path`` atomically (text: exact float32
    digits, gensim's layout; binary: the reference's). Raises
    :class:`Word2VecError` for a word that is empty or contains whitespace (it
    could not be read back). Returns nothing."""
    for word in words:
        if not word or any(ch.isspace() for ch in word):
            raise Word2VecError(f"cannot write {os.fspath(path)}: the word {word!r} is empty or contains whitespace")
    if binary:
        from .write import save_vectors

        save_vectors(os.fspath(path), words, matrix, binary=True)
        return
    matrix = np.asarray(matrix, dtype=np.float32)
    row_format = " ".join(["%.9g"] * matrix.shape[1])
    with atomic_output(os.fspath(path)) as handle:
        handle.write(b"%d %d\n" % matrix.shape)
        for first in range(0, len(words), _TEXT_ROWS):
            block = matrix[first: first + _TEXT_ROWS].tolist()
            lines = [f"{word} {row_format % tuple(row)}\n"
                     for word, row in zip(words[first: first + _TEXT_ROWS], block)]
            handle.write("".join(lines).encode("utf-8", "surrogateescape"))


def save_vocabulary(path, words, counts):
    """Write ``word count`` lines to ``path`` atomically. Returns nothing."""
    with atomic_output(os.fspath(path)) as handle:
        handle.write("".join(f"{w} {int(c)}\n" for w, c in zip(words, counts)).encode("utf-8", "surrogateescape"))


def _redecode(words, encoding, unicode_errors, path):
    """Return ``words`` (decoded as UTF-8 with surrogate escapes) decoded with
    ``encoding`` and ``unicode_errors`` instead."""
    if encoding.lower().replace("-", "") in ("utf8",) and unicode_errors == "surrogateescape":
        return words
    if encoding.lower().replace("-", "") == "utf8":
        try:
            "\n".join(words).encode("utf-8")
            return words  # no undecodable byte: nothing changes
        except UnicodeEncodeError:
            pass
    decoded = []
    for word in words:
        raw = word.encode("utf-8", "surrogateescape")
        try:
            decoded.append(raw.decode(encoding, unicode_errors))
        except UnicodeDecodeError:
            raise Word2VecError(f"{os.fspath(path)}: the word {raw!r} is not valid {encoding} "
                                "(pass unicode_errors='replace' or 'ignore')") from None
        except LookupError:
            raise Word2VecError(f"unknown encoding {encoding!r}") from None
    return decoded


def load_word2vec_format(path, binary=False, encoding="utf8", unicode_errors="strict", limit=None):
    """Read the word2vec file ``path`` (``binary`` or text); return ``(words, matrix)``.
    Raises :class:`Word2VecError` (one line) for a missing, corrupt or wrongly
    encoded file."""
    from .read import load

    loaded = load(path, format="binary" if binary else "text", limit=limit or None)
    return _redecode(loaded.words, encoding, unicode_errors, path), loaded.vectors
