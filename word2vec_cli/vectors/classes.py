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
def kmeans_round(vectors, classes, centroids, members):
    """One k-means round, as the reference's: recompute the centroids of ``classes``
    (into ``centroids``, with ``members`` as scratch) and move every row of
    ``vectors`` to the centroid of highest dot product, in ``classes``. Returns nothing."""
    n_words, size = vectors.shape
    n_classes = centroids.shape[0]
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


def kmeans_classes(vectors, n_classes, show_progress=False):
    """Cluster the rows of ``vectors`` into ``n_classes`` classes with the reference's
    :data:`ROUNDS` rounds; return int32 labels. With ``show_progress`` the rounds are
    shown on stderr (:class:`~word2vec_cli.console.StepProgress`).

    Raises :class:`Word2VecError` when ``n_classes`` is below 1.
    """
    if n_classes < 1:  # the kernel would take i % 0 as 0 and label words with a class that is not there
        raise Word2VecError(f"the number of classes must be at least 1, not {n_classes}")
    from ..console import StepProgress

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n_classes = int(n_classes)
    classes = (np.arange(len(vectors), dtype=np.int64) % n_classes).astype(np.int32)
    centroids = np.zeros((n_classes, vectors.shape[1]), dtype=np.float32)
    members = np.zeros(n_classes, dtype=np.int64)
    with StepProgress(f"Classes ({n_classes})", total=ROUNDS, unit="round", show=show_progress) as progress:
        for _ in range(ROUNDS):
            kmeans_round(vectors, classes, centroids, members)
            progress.update(1)
    return classes


def save_classes(path, word_bytes, classes):
    """Write ``word class`` lines (the reference's ``-classes`` output) atomically."""
    with atomic_output(path) as handle:
        handle.write(b"".join(b"%s %d\n" % (w, c) for w, c in zip(word_bytes, classes.tolist())))
