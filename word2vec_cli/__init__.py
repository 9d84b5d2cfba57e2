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

__all__ = ["train", "load", "Vectors", "Model", "TrainOptions", "Word2VecError", "__version__"]

#: public name -> (module, attribute), imported on first use
_PUBLIC = {
    "train": ("api", "train"),
    "load": ("api", "load"),
    "Vectors": ("api", "Vectors"),
    "Model": ("api", "Model"),
    "TrainOptions": ("model.options", "TrainOptions"),
    "Word2VecError": ("errors", "Word2VecError"),
}


def __getattr__(name):
    if name in _PUBLIC:
        import importlib

        module, attribute = _PUBLIC[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    raise AttributeError(f"module 'word2vec_cli' has no attribute {name!r}")
