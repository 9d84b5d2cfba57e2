"""The Python API: train vectors, load them, query them.

:class:`Vectors` is what :func:`train` and :func:`load` return: the words and their
matrix (:class:`~word2vec_cli.vectors.words.WordVectors`) plus the reference's
nearest-word and analogy queries. The command line and this module sit side by side
at the top of the package; both only call the layers below.
"""

import dataclasses
import os

from .model.options import TrainOptions
from .vectors.words import FORMATS, WordVectors


class Vectors(WordVectors):
    """Words and their vectors (as :class:`WordVectors`, same parameters), with the
    reference's nearest-word and analogy queries and :meth:`save`."""

    _space = None

    def save(self, path, binary=False, format=None):
        """Write the vectors to ``path``.

        ``format`` is ``'text'``, ``'binary'`` or ``'npy'`` (``path.npy`` plus
        ``path.vocab``); without it ``binary`` chooses between the reference formats.
        Returns nothing.
        """
        from .vectors.npy import save_npy
        from .vectors.write import save_vectors

        format = format or ("binary" if binary else "text")
        if format == "npy":
            save_npy(path, self.words, self.vectors)
        elif format in ("text", "binary"):
            save_vectors(path, self.words, self.vectors, binary=format == "binary")
        else:
            raise ValueError(f"unknown vector format {format!r}; use one of {', '.join(FORMATS)}")

    def query_space(self):
        """Return a :class:`~word2vec_cli.query.space.QuerySpace` over these vectors
        (built on first use and kept: change ``vectors`` in place and it is out of date)."""
        if self._space is None:
            from .query.space import QuerySpace

            self._space = QuerySpace(self)
        return self._space

    def most_similar(self, words, n=40):
        """Return the ``n`` nearest words to the sum of ``words`` (a word or a list)
        as (word, cosine) pairs, best first.

        Scores are computed exactly as the reference's ``distance`` does; the input
        words are excluded. Raises KeyError for an unknown word.
        """
        return self.query_space().most_similar(words, n)

    def analogy(self, a, b, c, n=40, method="add"):
        """Return the ``n`` best answers to "a is to b as c is to ?" as (word, score) pairs.

        ``method`` is ``'add'`` (the reference's b - a + c, positive scores only) or
        ``'mul'`` (3CosMul). Raises KeyError for an unknown word.
        """
        return self.query_space().analogy(a, b, c, n=n, method=method)


def train(corpus, output=None, **options):
    """Train word vectors on ``corpus`` (a text file, ``-`` for stdin, a FIFO) and return them.

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
    opts = TrainOptions(train=os.fspath(corpus), output=output and os.fspath(output), **options)
    result = run_training(opts, evaluate=make_evaluator(opts.eval, opts.eval_pairs))
    return Vectors(result.vocabulary.words, result.syn0, _trusted=True)


def load(path, format=None, limit=None):
    """Read a vector file (text or binary, detected; ``format='npy'`` for the numpy
    pair) and return :class:`Vectors`. ``limit`` reads only the first words."""
    from .vectors.read import load as load_file

    loaded = load_file(path, format=format, limit=limit)
    return Vectors(loaded.words, loaded.vectors, _trusted=True)


class Model:
    """A whole training state (a model file, see the README's "Models, checkpoints
    and incremental training"): train it from scratch, further on new text, save
    it, and get its vectors.

    ``Model.load(path)`` opens a saved model; ``Model.fit(corpus, **options)``
    trains a new one. :meth:`train` continues on more text and returns the model,
    :meth:`save` writes it, :attr:`vectors` gives the word vectors.
    """

    def __init__(self, path):
        import tempfile

        self._folder = tempfile.TemporaryDirectory(prefix="word2vec-model-")
        self._path = os.fspath(path)
        self._saved = None

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
        target = os.path.join(self._folder.name, f"model-{len(os.listdir(self._folder.name))}.w2v")
        run_training(TrainOptions(train=os.fspath(corpus), init_model=init_model, save_model=target, **options))
        previous, self._path, self._saved = self._path, target, None
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
    def options(self):
        """TrainOptions: the options the model was trained with."""
        return self._state().options
