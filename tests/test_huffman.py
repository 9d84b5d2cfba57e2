"""Huffman codes (REFERENCE.md section 1, 'Huffman tree'), on the seed's example."""

import numpy as np
import pytest

from word2vec_cli.errors import Word2VecError
from word2vec_cli.model.huffman import HuffmanCodes

# "AFTER DATA EAR ARE ART AREA": A 8, D 1, E 4, F 1, R 5, T 3, sorted by count
SEED_WORDS = ["A", "R", "E", "T", "F", "D"]
SEED_COUNTS = [8, 5, 4, 3, 1, 1]


def test_seed_example_weighted_path_length_is_51():
    huffman = HuffmanCodes(np.array(SEED_COUNTS))
    assert int((huffman.lengths * np.array(SEED_COUNTS)).sum()) == 51


def test_seed_example_codes_follow_the_reference_tie_rule():
    # R (5) ties with the inner node {T, {F, D}} (5): the inner node is taken first,
    # so R is paired with the node of weight 9 later and gets the short code 10;
    # D, last in the sorted list, is taken before F and gets bit 0
    huffman = HuffmanCodes(np.array(SEED_COUNTS))
    codes = {w: huffman.code(i) for i, w in enumerate(SEED_WORDS)}
    assert codes == {"A": "11", "R": "10", "E": "00", "T": "011", "F": "0101", "D": "0100"}


def test_points_are_inner_nodes_from_the_root():
    huffman = HuffmanCodes(np.array(SEED_COUNTS))
    n = len(SEED_COUNTS)
    # the root is row V-2; A's path: root (4) -> node of weight 13 (created 4th: row 3)
    assert huffman.points[0, :2].tolist() == [n - 2, 3]
    for i in range(n):
        path = huffman.points[i, :huffman.lengths[i]]
        assert path[0] == n - 2
        assert ((path >= 0) & (path <= n - 2)).all()


@pytest.mark.parametrize("seed", range(5))
def test_codes_are_prefix_free_and_optimal(seed):
    rng = np.random.default_rng(seed)
    counts = np.sort(rng.zipf(1.3, size=300).clip(max=10**6))[::-1].astype(np.int64)
    huffman = HuffmanCodes(counts)
    codes = [huffman.code(i) for i in range(len(counts))]
    assert len(set(codes)) == len(codes)
    ordered = sorted(codes)
    for a, b in zip(ordered, ordered[1:]):
        assert not b.startswith(a)
    # optimal: the weighted path length equals the sum of all merge weights
    heap = sorted(counts.tolist())
    import heapq
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        cost += merged
        heapq.heappush(heap, merged)
    assert int((huffman.lengths * counts).sum()) == cost


def test_too_small_vocabulary_is_an_error():
    with pytest.raises(Word2VecError):
        HuffmanCodes(np.array([3]))
