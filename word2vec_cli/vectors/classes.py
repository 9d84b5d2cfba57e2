"""``-classes K``: k-means word classes, as the reference computes them.

Word ``i`` starts in class ``i mod K``; each of 10 rounds recomputes the centroids
(sum over members divided by 1 + member count, then normalised to unit length) and
moves every word to the centroid of highest dot product (first one on a tie).
A class left without words has a zero centroid, which normalising turns into NaN (0/0,
as in the reference's C): its dot products are NaN, never win, and the class stays
empty, so fewer than K classes may be used.
"""

import numpy as np
from numba import njit

from ..errors import Word2VecError
from ..files.outputs import atomic_output

#: The reference's fixed number of k-means rounds.
ROUNDS = 10


# error_model="numpy": IEEE division, as the reference's C (an emptied class's 0/0
# centroid must become NaN, not raise ZeroDivisionError); no fastmath, which would let
# LLVM assume there is no NaN and make the comparison below pick such a class.
@njit(cache=True, nogil=True, error_model="numpy")
def kmeans_rounds(vectors, n_classes, rounds):
    """Return the int32 class of each row of ``vectors`` after ``rounds`` rounds
    (``n_classes`` >= 1)."""
    n_words, size = vectors.shape
    classes = np.empty(n_words, dtype=np.int32)
    for i in range(n_words):
        classes[i] = i % n_classes
    centroids = np.zeros((n_classes, size), dtype=np.float32)
    members = np.zeros(n_classes, dtype=np.int64)
    for _ in range(rounds):
        centroids[:, :] = 0
        members[:] = 1
        for i in range(n_words):
            k = classes[i]
            for c in range(size):
                centroids[k, c] += vectors[i, c]
            members[k] += 1
        for k in range(n_classes):
            norm = np.float32(0)
            for c in range(size):
                centroids[k, c] /= np.float32(members[k])
                norm += centroids[k, c] * centroids[k, c]
            norm = np.float32(np.sqrt(np.float64(norm)))
            for c in range(size):
                centroids[k, c] /= norm
        for i in range(n_words):
            best = np.float32(-10)
            best_class = 0
            for k in range(n_classes):
                x = np.float32(0)
                for c in range(size):
                    x += centroids[k, c] * vectors[i, c]
                if x > best:
                    best = x
                    best_class = k
            classes[i] = best_class
    return classes


def kmeans_classes(vectors, n_classes):
    """Cluster the rows of ``vectors`` into ``n_classes`` classes; return int32 labels.

    Raises :class:`Word2VecError` when ``n_classes`` is below 1.
    """
    if n_classes < 1:  # the kernel would take i % 0 as 0 and label words with a class that is not there
        raise Word2VecError(f"the number of classes must be at least 1, not {n_classes}")
    return kmeans_rounds(np.ascontiguousarray(vectors, dtype=np.float32), int(n_classes), ROUNDS)


def save_classes(path, word_bytes, classes):
    """Write ``word class`` lines (the reference's ``-classes`` output) atomically."""
    with atomic_output(path) as handle:
        handle.write(b"".join(b"%s %d\n" % (w, c) for w, c in zip(word_bytes, classes.tolist())))
