"""Huffman codes for hierarchical softmax, built exactly as the reference builds them.

Two queues: the leaves in ascending count order (the vocabulary is sorted descending,
so they are read from its end) and the inner nodes in creation order. Each step takes
the two smallest nodes, preferring an inner node on a tie; the second one taken gets
code bit 1. Inner node ``k`` (0-based creation order) is row ``k`` of ``syn1``, so
the root is row ``V - 2``.
"""

import numpy as np
from numba import njit

from ..errors import Word2VecError

#: The reference's limit on code length; longer codes would overflow its arrays.
MAX_CODE_LENGTH = 40


@njit(cache=True)
def _build_tree(counts):
    """Return ``(parent, bit)`` arrays over the ``2V - 1`` nodes of the Huffman tree."""
    n = counts.shape[0]
    count = np.zeros(2 * n, dtype=np.int64)
    count[:n] = counts
    parent = np.zeros(2 * n, dtype=np.int64)
    bit = np.zeros(2 * n, dtype=np.uint8)
    leaf = n - 1  # next leaf to take (smallest remaining)
    inner = n  # next inner node to take
    for step in range(n - 1):
        picked = np.empty(2, dtype=np.int64)
        for k in range(2):
            # no sentinel count for the inner nodes not made yet (the reference's 1e15
            # is a real count in a large corpus): an inner node is there or it is not
            if leaf >= 0 and (inner >= n + step or count[leaf] < count[inner]):
                picked[k] = leaf
                leaf -= 1
            else:
                picked[k] = inner
                inner += 1
        count[n + step] = count[picked[0]] + count[picked[1]]
        parent[picked[0]] = n + step
        parent[picked[1]] = n + step
        bit[picked[1]] = 1
    return parent, bit


@njit(cache=True)
def _codes_from_tree(parent, bit, n, max_length):
    """Return ``(codes, points, lengths)``: each word's bits and inner-node rows from
    the root down; ``lengths[i]`` is -1 when a code would exceed ``max_length``."""
    codes = np.zeros((n, max_length), dtype=np.uint8)
    points = np.zeros((n, max_length), dtype=np.int32)
    lengths = np.zeros(n, dtype=np.int32)
    root = 2 * n - 2
    path_bits = np.zeros(2 * n, dtype=np.uint8)
    path_nodes = np.zeros(2 * n, dtype=np.int64)
    for word in range(n):
        node = word
        depth = 0
        while node != root:
            path_bits[depth] = bit[node]
            path_nodes[depth] = node
            depth += 1
            node = parent[node]
        if depth > max_length:
            lengths[word] = -1
            continue
        lengths[word] = depth
        # path_nodes[0] is the leaf; the nodes above it, read from the root down,
        # are the inner nodes the code's bits are predicted at
        points[word, 0] = n - 2
        for k in range(depth):
            codes[word, depth - k - 1] = path_bits[k]
            if k > 0:
                points[word, depth - k] = path_nodes[k] - n
    return codes, points, lengths


class HuffmanCodes:
    """Codes and inner-node paths of every word (arrays of shape (V, 40)).

    Attributes: ``codes`` (uint8 bits), ``points`` (int32 rows of syn1), ``lengths``
    (int32 code lengths).
    """

    def __init__(self, counts):
        counts = np.ascontiguousarray(counts, dtype=np.int64)
        if len(counts) < 2:
            raise Word2VecError("hierarchical softmax needs at least two words in the vocabulary")
        parent, bit = _build_tree(counts)
        self.codes, self.points, self.lengths = _codes_from_tree(parent, bit, len(counts), MAX_CODE_LENGTH)
        if (self.lengths < 0).any():
            raise Word2VecError(f"a Huffman code is longer than {MAX_CODE_LENGTH} bits; "
                                "the counts are too skewed for hierarchical softmax")

    def code(self, word_id):
        """Return the code of ``word_id`` as a string of '0'/'1', root first."""
        n = int(self.lengths[word_id])
        return "".join(str(b) for b in self.codes[word_id, :n])
