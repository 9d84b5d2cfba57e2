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
    """Words and their vectors, in file order, with queries.

    Parameters
    ----------
    words : list of str
        The words (bytes are accepted and decoded as UTF-8 with surrogate escapes).
    vectors : array_like, shape (len(words), dim)
        The vectors; stored as a C-contiguous float32 matrix.
    """

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
    """Train word vectors on ``corpus`` (a text file, ``-`` for stdin) and return them.

    Keyword options are the ``word2vec`` flags with ``_`` for ``-`` (``size``,
    ``window``, ``sample``, ``hs``, ``negative``, ``threads``, ``iter``, ``min_count``,
    ``alpha``, ``classes``, ``debug``, ``binary``, ``save_vocab``, ``read_vocab``,
    ``cbow``, ``seed``, ``batch``, ``quality``, ``loss``, ``log``, ``eval``,
    ``eval_pairs``); ``debug`` defaults to 0 here. With ``output``
    the vectors are also written there (binary when ``binary=1``).

    Returns :class:`Vectors`. Raises :class:`~word2vec_cli.errors.Word2VecError` for
    bad input and TypeError for an unknown option.
    """
    from .monitor import make_evaluator
    from .training.driver import train_model

    options.setdefault("debug", 0)
    unknown = set(options) - {f.name for f in dataclasses.fields(TrainOptions)}
    if unknown:
        raise TypeError(f"unknown training option(s): {', '.join(sorted(unknown))}")
    opts = TrainOptions(train=os.fspath(corpus), output=output and os.fspath(output), **options)
    result = train_model(opts, evaluate=make_evaluator(opts.eval, opts.eval_pairs))
    return Vectors(result.vocabulary.words, result.syn0, _trusted=True)


def load(path, format=None, limit=None):
    """Read a vector file (text or binary, detected; ``format='npy'`` for the numpy
    pair) and return :class:`Vectors`. ``limit`` reads only the first words."""
    from .vectors.read import load as load_file

    loaded = load_file(path, format=format, limit=limit)
    return Vectors(loaded.words, loaded.vectors, _trusted=True)
