"""word2vec_cli: the original word2vec toolkit, re-implemented on numba kernels.

The Python API mirrors the command line::

    import word2vec_cli
    vectors = word2vec_cli.train("corpus.txt", size=100, cbow=0, negative=5)
    vectors.save("vectors.bin", binary=True)
    same = word2vec_cli.load("vectors.bin")

Heavy modules (numpy, numba) are imported on first use, so importing the package and
starting the command line stay fast.
"""

__version__ = "0.1.0"

__all__ = ["train", "load", "Vectors", "TrainOptions", "Word2VecError", "__version__"]


def train(corpus, output=None, **options):
    """Train word vectors on the text file ``corpus`` and return them as :class:`Vectors`.

    Options are the ``word2vec`` flags with ``_`` for ``-`` (``size``, ``window``,
    ``cbow``, ``negative``, ``hs``, ``iter``, ``min_count``, ``threads``, ...). With
    ``output`` the vectors are also written there (``binary=1`` for binary).
    """
    from .trainer import train as _train

    return _train(corpus, output=output, **options)


def load(path, format=None, limit=None):
    """Read a text or binary vector file (format detected) and return :class:`Vectors`."""
    from .vectors import load as _load

    return _load(path, format=format, limit=limit)


def __getattr__(name):
    if name == "Vectors":
        from .vectors import Vectors

        return Vectors
    if name == "TrainOptions":
        from .options import TrainOptions

        return TrainOptions
    if name == "Word2VecError":
        from .errors import Word2VecError

        return Word2VecError
    raise AttributeError(f"module 'word2vec_cli' has no attribute {name!r}")
