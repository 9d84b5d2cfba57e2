"""Word vector files: the one place where they are read and written.

Two formats, both as the reference toolkit writes them, plus gensim's variants:

* text:   ``"V D\\n"`` then per word ``word`` and D numbers separated by spaces
  (the reference writes ``%lf `` per number, so every line ends in a space;
  gensim writes no trailing space).
* binary: ``"V D\\n"`` then per word ``word `` and D little-endian float32, then
  ``\\n`` (the reference) or nothing (gensim).

plus a numpy pair (``X.npy`` matrix, ``X.vocab`` one word a line) for convenience.

Words are bytes in the files; in Python they are ``str`` decoded as UTF-8 with
``errors='surrogateescape'`` so that any byte sequence survives a round trip.

Reading and writing go through small numba kernels that work on large blocks of
bytes: there is no Python-level loop over numbers, so a 1,000,000 x 300 binary file
loads in about a second.
"""

import numpy as np

FORMATS = ("text", "binary", "npy")


def _encode(word):
    """Return ``word`` (str or bytes) as the bytes that go into a file."""
    if isinstance(word, bytes):
        return word
    return word.encode("utf-8", "surrogateescape")


def _decode_joined(pool, used):
    """Split ``pool[:used]`` (words each followed by a space) into a list of str."""
    if used == 0:
        return []
    return pool[:used].tobytes().decode("utf-8", "surrogateescape").split(" ")[:-1]


class WordVectors:
    """Words and their vectors, in file order.

    Parameters
    ----------
    words : list of str
        The words (bytes are accepted and decoded as UTF-8 with surrogate escapes).
    vectors : array_like, shape (len(words), dim)
        The vectors; stored as a C-contiguous float32 matrix.
    """

    def __init__(self, words, vectors, _trusted=False):
        if not _trusted:
            words = [w.decode("utf-8", "surrogateescape") if isinstance(w, bytes) else str(w) for w in words]
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != len(words):
            raise ValueError(f"need a ({len(words)}, dim) matrix, got shape {matrix.shape}")
        self.words = words
        self.vectors = matrix
        self._index = None

    @property
    def dim(self):
        """int: the number of components of each vector."""
        return self.vectors.shape[1]

    def __len__(self):
        """Return the number of words."""
        return len(self.words)

    def __repr__(self):
        return f"{type(self).__name__}({len(self)} words, dim {self.dim})"

    def index(self, word):
        """Return the position of ``word`` (its first occurrence); raise KeyError if absent."""
        if self._index is None:
            index = {}
            for position, each in enumerate(self.words):
                index.setdefault(each, position)
            self._index = index
        return self._index[word]

    def __contains__(self, word):
        """Return True when ``word`` is in the vocabulary."""
        try:
            self.index(word)
        except KeyError:
            return False
        return True

    def __getitem__(self, word):
        """Return the vector of ``word`` (a float32 row view); raise KeyError if absent."""
        return self.vectors[self.index(word)]

    def normalized(self):
        """Return a copy whose vectors have unit length (zero vectors stay zero)."""
        norms = np.sqrt(np.einsum("ij,ij->i", self.vectors, self.vectors, dtype=np.float64))
        norms[norms == 0] = 1.0
        return type(self)(list(self.words), (self.vectors / norms[:, None]).astype(np.float32), _trusted=True)
