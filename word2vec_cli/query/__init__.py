"""Queries and evaluation on trained vectors: nearest words, analogies, the
reference's interactive tools, compute-accuracy and word-pair similarity."""
