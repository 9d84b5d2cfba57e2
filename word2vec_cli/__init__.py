"""word2vec_cli: the original word2vec toolkit, re-implemented on numba kernels.

The Python API mirrors the command line::

    import word2vec_cli
    vectors = word2vec_cli.train("corpus.txt", size=100, cbow=0, negative=5)
    vectors.save("vectors.bin", binary=True)
    same = word2vec_cli.load("vectors.bin")

and gensim's, with gensim 4's names (``from word2vec_cli import Word2Vec`` in place
of ``from gensim.models import Word2Vec``)::

    model = word2vec_cli.Word2Vec(sentences, vector_size=100, window=5, min_count=1, workers=4)
    model.wv.most_similar(positive=["woman", "king"], negative=["man"], topn=5)

Heavy modules (numpy, numba) are imported on first use, so importing the package and
starting the command line stay fast.
"""

__version__ = "0.1.0"

__all__ = ["train", "load", "Vectors", "Model", "Word2Vec", "KeyedVectors", "LineSentence", "CallbackAny2Vec",
           "TrainOptions", "Word2VecError", "__version__"]

#: public name -> (module, attribute), imported on first use
_PUBLIC = {
    "train": ("api", "train"),
    "load": ("api", "load"),
    "Vectors": ("api", "Vectors"),
    "Model": ("api", "Model"),
    "Word2Vec": ("gensim_word2vec", "Word2Vec"),
    "CallbackAny2Vec": ("gensim_word2vec", "CallbackAny2Vec"),
    "KeyedVectors": ("query.keyedvectors", "KeyedVectors"),
    "LineSentence": ("text.sentences", "LineSentence"),
    "TrainOptions": ("model.options", "TrainOptions"),
    "Word2VecError": ("errors", "Word2VecError"),
}


def __getattr__(name):
    if name in _PUBLIC:
        import importlib

        module, attribute = _PUBLIC[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    raise AttributeError(f"module 'word2vec_cli' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
