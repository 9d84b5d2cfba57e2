"""word2vec_cli: the original word2vec toolkit, re-implemented on numba kernels."""

__version__ = "0.1.0"
