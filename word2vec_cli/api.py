"""The Python API: train vectors, load them, query them.

:class:`Vectors` (the same class as :class:`~word2vec_cli.query.keyedvectors.KeyedVectors`)
is what :func:`train` and :func:`load` return: the words and their matrix with
gensim's queries and the reference's. gensim's ``Word2Vec`` class is
:mod:`word2vec_cli.gensim_word2vec`. The command line and these modules sit side by
side at the top of the package; they only call the layers below.
"""

import contextlib
import dataclasses
import os

from .model.options import TrainOptions
from .query.keyedvectors import KeyedVectors


#: The vectors :func:`train` and :func:`load` return: gensim's ``KeyedVectors``
#: queries plus the reference's (one class; ``Vectors`` is its older name).
Vectors = KeyedVectors


def train(corpus, output=None, **options):
    """Train word vectors on ``corpus`` (a text file, ``-`` for stdin, a FIFO; or a
    file object, or an iterable of sentences, each a list of str) and return them.

    Keyword options are the ``word2vec`` flags with ``_`` for ``-`` (``size``,
    ``window``, ``sample``, ``hs``, ``negative``, ``threads``, ``iter``, ``min_count``,
    ``alpha``, ``classes``, ``debug``, ``binary``, ``save_vocab``, ``read_vocab``,
    ``cbow``, ``seed``, ``batch``, ``tmpdir``, ``type``, ``cap``, ``l2``, ``l2_rows``, ``quality``,
    ``loss``, ``log``, ``eval``, ``eval_pairs``, and those of the model file: ``save_model``,
    ``init_model``, ...); ``debug`` defaults to 0 here. With ``output``
    the vectors are also written there (binary when ``binary=1``).

    Returns :class:`Vectors`. Raises :class:`~word2vec_cli.errors.Word2VecError` for
    bad input and TypeError for an unknown option.
    """
    from .monitor import make_evaluator
    from .jobs import run_training

    options.setdefault("debug", 0)
    unknown = set(options) - {f.name for f in dataclasses.fields(TrainOptions)}
    if unknown:
        raise TypeError(f"unknown training option(s): {', '.join(sorted(unknown))}")
    with _corpus_path(corpus, options.get("tmpdir")) as path:
        opts = TrainOptions(train=path, output=output and os.fspath(output), **options)
        result = run_training(opts, evaluate=make_evaluator(opts.eval, opts.eval_pairs))
    return Vectors(result.vocabulary.words, result.syn0, _trusted=True)


@contextlib.contextmanager
def _corpus_path(corpus, tmpdir=None):
    """Yield a path to train on: ``corpus`` itself when it is a path; else a
    temporary text file (deleted afterwards) holding a file object's contents or
    an iterable of sentences (lists of str) one a line."""
    if isinstance(corpus, (str, bytes, os.PathLike)):
        yield os.fsdecode(corpus)
        return
    import shutil
    import tempfile

    from .text.sentences import write_sentences

    with tempfile.TemporaryDirectory(prefix="word2vec-text-", dir=tmpdir) as folder:
        path = os.path.join(folder, "corpus.txt")
        with open(path, "wb", buffering=1 << 20) as handle:
            if hasattr(corpus, "read"):
                first = corpus.read(0)
                if isinstance(first, str):
                    for block in iter(lambda: corpus.read(1 << 20), ""):
                        handle.write(block.encode("utf-8", "surrogateescape"))
                else:
                    shutil.copyfileobj(corpus, handle, 1 << 20)
            else:
                write_sentences(corpus, handle)
        yield path


def load(path, format=None, limit=None):
    """Read a vector file (text or binary, detected; ``format='npy'`` for the numpy
    pair) and return :class:`Vectors`. ``limit`` reads only the first words."""
    from .vectors.read import load as load_file

    loaded = load_file(path, format=format, limit=limit)
    return Vectors(loaded.words, loaded.vectors, _trusted=True)


#: The query methods a :class:`Model` answers with its vectors.
_QUERIES = frozenset({"most_similar", "most_similar_cosmul", "similar_by_word", "similar_by_vector", "similarity",
                      "n_similarity", "distance", "distances", "doesnt_match", "rank", "get_vector", "analogy",
                      "evaluate_word_analogies", "evaluate_word_pairs"})


class Model:
    """A whole training state (a model file, see the README's "Models, checkpoints
    and incremental training"): train it from scratch, further on new text, save
    it, and get its vectors.

    ``Model.load(path)`` opens a saved model; ``Model.fit(corpus, **options)``
    trains a new one. :meth:`train` continues on more text and returns the model,
    :meth:`save` writes it, :attr:`vectors` (or :attr:`wv`) gives the word vectors,
    whose queries (``most_similar``, ``similarity``, ``analogy``, ...) the model
    answers too.
    """

    def __init__(self, path):
        import tempfile

        self._folder = tempfile.TemporaryDirectory(prefix="word2vec-model-")
        self._path = os.fspath(path)
        self._saved = None
        self._wv = None
        self._serial = 0

    @classmethod
    def load(cls, path):
        """Open the model file ``path`` (checked at once); return a :class:`Model`.
        Raises :class:`~word2vec_cli.errors.Word2VecError` for an unusable file."""
        model = cls(path)
        model._state()
        return model

    @classmethod
    def fit(cls, corpus, **options):
        """Train a new model on ``corpus`` (options as for :func:`train`); return it."""
        model = cls(os.devnull)
        model._run(corpus, options)
        return model

    def _state(self):
        if self._saved is None:
            from .training.checkpoint import load_model

            self._saved = load_model(self._path)
        return self._saved

    def _run(self, corpus, options, init_model=None):
        from .jobs import run_training

        options.setdefault("debug", 0)
        unknown = set(options) - {f.name for f in dataclasses.fields(TrainOptions)}
        if unknown:
            raise TypeError(f"unknown training option(s): {', '.join(sorted(unknown))}")
        self._serial += 1  # a new name each time: the previous model is read while this one is written
        target = os.path.join(self._folder.name, f"model-{self._serial}.w2v")
        run_training(TrainOptions(train=os.fspath(corpus), init_model=init_model, save_model=target, **options))
        previous, self._path, self._saved, self._wv = self._path, target, None, None
        if os.path.dirname(previous) == self._folder.name:  # our own earlier copy: no longer needed
            os.unlink(previous)

    def train(self, corpus, update_vocab=1, **options):
        """Train this model further on ``corpus``; return the model.

        ``update_vocab=1`` (the default here) adds the new text's words reaching
        ``min_count``; other options are the ``word2vec`` flags (``iter``,
        ``alpha_schedule``, ``hs_update``, ``threads``, ...). Raises
        :class:`~word2vec_cli.errors.Word2VecError` for bad input.
        """
        self._run(corpus, dict(options, update_vocab=update_vocab), init_model=self._path)
        return self

    def save(self, path):
        """Write the model file to ``path`` (atomically). Returns nothing."""
        import shutil

        from .files.outputs import atomic_output

        with open(self._path, "rb") as source, atomic_output(path) as target:
            shutil.copyfileobj(source, target, 1 << 24)

    @property
    def vectors(self):
        """:class:`Vectors`: the words and their (input) vectors."""
        saved = self._state()
        return Vectors(saved.vocabulary.words, saved.state.syn0, _trusted=True)

    @property
    def wv(self):
        """:class:`Vectors` of the model, kept until it trains again (gensim's name)."""
        if self._wv is None:
            self._wv = self.vectors
        return self._wv

    def __getattr__(self, name):
        # the vectors' queries on the model itself: model.most_similar(...) is model.wv.most_similar(...)
        if name in _QUERIES:
            return getattr(self.wv, name)
        raise AttributeError(f"'Model' object has no attribute {name!r}")

    @property
    def options(self):
        """TrainOptions: the options the model was trained with."""
        return self._state().options
