"""Vectors out: word vectors in memory, their files (text, binary, numpy pair),
conversion between them, and k-means word classes."""
