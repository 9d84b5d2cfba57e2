"""Word vectors with gensim 4's ``KeyedVectors`` queries (and the reference's).

:class:`KeyedVectors` is what :func:`word2vec_cli.load`, :func:`word2vec_cli.train`
and ``Word2Vec.wv`` return. Its queries follow gensim's definitions, so that a
script written for gensim gets the same answers from the same vector file:
``most_similar`` ranks by the cosine with the weighted mean of the query's unit
vectors (words weigh 1, negative words -1, ``(key, weight)`` pairs their weight, raw
vectors are taken as they are), ``most_similar_cosmul`` multiplies the cosines
shifted to [0, 1], ``doesnt_match`` drops the word farthest from the mean of unit
vectors, ``n_similarity`` compares the means of the raw vectors. The analogy and
word-pair evaluations are in :mod:`.gensim_eval`.

The reference's own queries (exact float32 arithmetic of ``distance`` and
``word-analogy``, :mod:`.space`) stay available as :meth:`KeyedVectors.analogy` and
as ``most_similar(words, n=...)``.
"""

import os
from numbers import Integral

import numpy as np

from ..vectors.words import FORMATS, WordVectors
from .gensim_eval import top_positions

#: What names one vector: a word, or a row number.
KEY_TYPES = (str, Integral)


def unit_vector(vector):
    """Return ``vector`` divided by its length (float32), or unchanged when it is zero."""
    vector = np.asarray(vector)
    length = float(np.sqrt(np.dot(vector.astype(np.float64), vector.astype(np.float64)))) if vector.size else 0.0
    return (vector / length).astype(np.float32) if length > 0 else vector


def _as_list(value):
    """Return a query argument as a list of items (a lone key or vector is wrapped)."""
    if value is None:
        return []
    if isinstance(value, KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    return list(value)  # a list of items, or a matrix of vectors (its rows)


class KeyedVectors(WordVectors):
    """Words (keys) and their vectors with gensim 4's ``KeyedVectors`` interface.

    ``KeyedVectors(words, vectors)`` takes the words (list of str) and a
    (len(words), dim) matrix; ``KeyedVectors(vector_size)`` makes an empty set to
    fill with :meth:`add_vectors`, as gensim's constructor does.
    """

    def __init__(self, words=None, vectors=None, _trusted=False):
        if isinstance(words, Integral) and vectors is None:  # gensim's KeyedVectors(vector_size)
            words, vectors, _trusted = [], np.zeros((0, int(words)), dtype=np.float32), True
        super().__init__([] if words is None else words, np.zeros((0, 0)) if vectors is None else vectors, _trusted)
        self.norms = None

    # ------------------------------------------------------------------ keys
    @property
    def index_to_key(self):
        """list of str: the keys in row order (the same list as ``words``)."""
        return self.words

    @property
    def key_to_index(self):
        """dict: key -> row (its first row when a key repeats)."""
        if self._index is None and self.words:
            self.index(self.words[0])  # builds the index
        return self._index if self._index is not None else {}

    @property
    def vector_size(self):
        """int: the number of components of each vector."""
        return self.vectors.shape[1]

    def get_index(self, key, default=None):
        """Return the row of ``key`` (a word, or a row number in range); ``default``
        when there is none and it is given, else raise KeyError."""
        row = self.key_to_index.get(key, -1) if isinstance(key, str) else -1
        if row >= 0:
            return row
        if isinstance(key, Integral) and not isinstance(key, bool) and 0 <= key < len(self.words):
            return int(key)
        if default is not None:
            return default
        raise KeyError(f"Key '{key}' not present")

    def has_index_for(self, key):
        """Return True when ``key`` names a row."""
        return self.get_index(key, -1) >= 0

    def __contains__(self, key):
        """Return True when ``key`` is a word of the vocabulary (or a row number in range)."""
        return self.has_index_for(key)

    def get_vector(self, key, norm=False):
        """Return the vector of ``key`` (read-only; of unit length with ``norm``).
        Raises KeyError for an unknown key."""
        row = self.get_index(key)
        if norm:
            self.fill_norms()
            result = self.vectors[row] / self.norms[row]
        else:
            result = self.vectors[row]
        result.setflags(write=False)
        return result

    def __getitem__(self, key_or_keys):
        """Return the vector of a key, or a matrix of the vectors of a list of keys."""
        if isinstance(key_or_keys, KEY_TYPES):
            return self.get_vector(key_or_keys)
        return np.vstack([self.get_vector(key) for key in key_or_keys])

    def set_vecattr(self, key, attr, val):
        """Set the attribute ``attr`` (e.g. ``'count'``) of ``key``. Returns nothing."""
        attrs = self.__dict__.setdefault("_attrs", {})
        if attr not in attrs:
            attrs[attr] = np.zeros(len(self.words), dtype=np.asarray(val).dtype)
        attrs[attr][self.get_index(key)] = val

    def get_vecattr(self, key, attr):
        """Return the attribute ``attr`` of ``key`` (``'count'``: its count in the
        training text, for vectors a model trained). Raises KeyError when unknown."""
        attrs = self.__dict__.get("_attrs", {})
        if attr not in attrs:
            raise KeyError(f"no attribute {attr!r} is stored for these vectors")
        return attrs[attr][self.get_index(key)].item()

    def add_vectors(self, keys, weights, replace=False):
        """Append ``keys`` with their vectors (``weights``, one row each); with
        ``replace`` a key already present gets its new vector. Returns nothing."""
        keys = [keys] if isinstance(keys, str) else list(keys)
        weights = np.asarray(weights, dtype=np.float32).reshape(len(keys), -1)
        if self.words and weights.shape[1] != self.vector_size:
            raise ValueError(f"vectors of {weights.shape[1]} components given, these have {self.vector_size}")
        present = [key in self.key_to_index for key in keys]
        if replace:
            for key, row, known in zip(keys, weights, present):
                if known:
                    self.vectors[self.key_to_index[key]] = row
        fresh = [k for k, known in enumerate(present) if not known]
        if fresh:
            self.words = self.words + [keys[k] for k in fresh]
            self.vectors = np.ascontiguousarray(np.vstack([self.vectors.reshape(-1, weights.shape[1]),
                                                           weights[fresh]]))
            self._index = None
            self.__dict__.pop("_attrs", None)
        self.norms = None
        self._space = None

    def add_vector(self, key, vector):
        """Append one key and its vector (replacing its vector if present); return its row."""
        self.add_vectors([key], [vector], replace=True)
        return self.get_index(key)

    # ------------------------------------------------------------------ norms
    def fill_norms(self, force=False):
        """Compute the vectors' lengths (``norms``) if not done yet, or again with
        ``force`` (after changing ``vectors`` in place). Returns nothing."""
        if self.norms is None or force:
            self.norms = np.linalg.norm(self.vectors, axis=1)

    def get_normed_vectors(self):
        """Return a new matrix of the vectors scaled to unit length."""
        self.fill_norms()
        return self.vectors / self.norms[:, None]

    def unit_normalize_all(self):
        """Scale every vector to unit length in place (the lengths are lost). Returns nothing."""
        self.fill_norms()
        self.vectors /= self.norms[:, None]
        self.norms = np.ones(len(self.words), dtype=np.float32)
        self._space = None

    def get_mean_vector(self, keys, weights=None, pre_normalize=True, post_normalize=False, ignore_missing=True):
        """Return the weighted mean of the vectors of ``keys`` (words, row numbers or
        vectors): each word's vector of unit length with ``pre_normalize``, divided by
        the sum of the absolute weights; scaled to unit length with ``post_normalize``.
        Unknown words are skipped with ``ignore_missing``, else raise KeyError."""
        if len(keys) == 0:
            raise ValueError("cannot compute mean with no input")
        weights = np.ones(len(keys)) if weights is None else np.asarray(weights, dtype=np.float64)
        if len(keys) != weights.shape[0]:
            raise ValueError("keys and weights array must have same number of elements")
        total = np.zeros(self.vector_size, dtype=np.float64)
        weight_sum = 0.0
        for key, weight in zip(keys, weights):
            if isinstance(key, np.ndarray):
                vector = key
            elif key in self:
                vector = self.get_vector(key, norm=pre_normalize)
            elif not ignore_missing:
                raise KeyError(f"Key '{key}' not present in vocabulary")
            else:
                continue
            total += weight * np.asarray(vector, dtype=np.float64)
            weight_sum += abs(weight)
        mean = (total / weight_sum if weight_sum > 0 else total).astype(np.float32)
        return unit_vector(mean) if post_normalize else mean

    # ------------------------------------------------------------------ nearest words
    def _query(self, positive, negative):
        """Return (keys, weights) of a most_similar query: words weigh 1, negative
        words -1, a (key, weight) pair its weight."""
        keys, weights = [], []
        for items, sign in ((_as_list(positive), 1.0), (_as_list(negative), -1.0)):
            for item in items:
                if isinstance(item, KEY_TYPES + (np.ndarray,)):
                    keys.append(item)
                    weights.append(sign)
                else:
                    keys.append(item[0])
                    weights.append(float(item[1]))
        return keys, weights

    def most_similar(self, positive=None, negative=None, topn=10, clip_start=0, clip_end=None,
                     restrict_vocab=None, indexer=None, n=None):
        """Return the ``topn`` keys nearest to the weighted mean of the unit vectors
        of ``positive`` minus ``negative`` (words, row numbers, vectors, or
        ``(key, weight)`` pairs) as (key, cosine) pairs, best first; the query's
        words are left out. ``restrict_vocab`` searches the first rows only;
        ``topn=None`` returns every row's cosine as an array. Raises KeyError for an
        unknown word.

        ``most_similar(words, n=N)`` (this package's older call, also
        ``most_similar(words, N)``) returns the reference ``distance``'s exact
        scores of the sum of ``words``.
        """
        if n is not None or (isinstance(negative, Integral) and not isinstance(negative, bool)):
            return self.query_space().most_similar(positive, int(n if n is not None else negative))
        if isinstance(topn, Integral) and topn < 1:
            return []
        keys, weights = self._query(positive, negative)
        mean = self.get_mean_vector(keys, weights, pre_normalize=True, post_normalize=True, ignore_missing=False)
        excluded = {self.get_index(key) for key in keys if isinstance(key, KEY_TYPES) and self.has_index_for(key)}
        if indexer is not None and isinstance(topn, int):
            return indexer.most_similar(mean, topn)
        if restrict_vocab:
            clip_start, clip_end = 0, restrict_vocab
        self.fill_norms()
        rows = slice(clip_start, clip_end or len(self.words))
        scores = self.vectors[rows] @ mean / self.norms[rows]
        if not topn:
            return scores
        result = [(self.words[k + clip_start], float(scores[k])) for k in top_positions(scores, topn + len(excluded))
                  if k + clip_start not in excluded]
        return result[:topn]

    def similar_by_word(self, word, topn=10, restrict_vocab=None):
        """Return the ``topn`` keys nearest to ``word`` (see :meth:`most_similar`)."""
        return self.most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)

    similar_by_key = similar_by_word

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        """Return the ``topn`` keys nearest to ``vector`` as (key, cosine) pairs."""
        return self.most_similar(positive=[np.asarray(vector, dtype=np.float32)], topn=topn,
                                 restrict_vocab=restrict_vocab)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Return the ``topn`` keys maximising 3CosMul (Levy and Goldberg 2014): the
        product of the cosines with ``positive``, each shifted to (1 + cos) / 2,
        divided by that of ``negative`` plus 1e-6, as (key, score) pairs, best
        first; the query's words are left out. Words count as unit vectors, raw
        vectors as they are. ``restrict_vocab`` searches the first rows only."""
        if isinstance(topn, Integral) and topn < 1:
            return []
        positive, negative = _as_list(positive), _as_list(negative)
        if not positive:
            raise ValueError("cannot compute similarity with no input")
        excluded = {self.get_index(k) for k in positive + negative
                    if isinstance(k, KEY_TYPES) and self.has_index_for(k)}
        self.fill_norms()
        end = restrict_vocab or len(self.words)
        candidates, norms = self.vectors[:end], self.norms[:end]

        def shifted(terms):
            product = np.ones(end, dtype=np.float32)
            for term in terms:
                vector = self.get_vector(term, norm=True) if isinstance(term, KEY_TYPES) else term
                product = product * ((1 + candidates @ vector / norms) / 2)
            return product

        scores = shifted(positive) / (shifted(negative) + 0.000001)
        if not topn:
            return scores
        result = [(self.words[k], float(scores[k])) for k in top_positions(scores, topn + len(excluded)) if k not in excluded]
        return result[:topn]

    def rank_by_centrality(self, words, use_norm=True):
        """Return (cosine, word) pairs of the known ``words`` against the unit mean
        of their vectors, most central first. Raises ValueError when none is known."""
        used = [word for word in words if word in self]
        if not used:
            raise ValueError("cannot select a word from an empty list")
        matrix = np.vstack([self.get_vector(word, norm=use_norm) for word in used]).astype(np.float32)
        mean = self.get_mean_vector(list(matrix), post_normalize=True)
        return sorted(zip(matrix @ mean, used), reverse=True)

    def doesnt_match(self, words):
        """Return the word of ``words`` farthest from the mean of their unit vectors
        (unknown words are ignored)."""
        return self.rank_by_centrality(words)[-1][1]

    # ------------------------------------------------------------------ similarities
    @staticmethod
    def cosine_similarities(vector_1, vectors_all):
        """Return the cosines of ``vector_1`` with each row of ``vectors_all``."""
        return (vectors_all @ vector_1) / (np.linalg.norm(vector_1) * np.linalg.norm(vectors_all, axis=1))

    def similarity(self, w1, w2):
        """Return the cosine of the vectors of ``w1`` and ``w2``."""
        return np.dot(unit_vector(self[w1]), unit_vector(self[w2]))

    def distance(self, w1, w2):
        """Return 1 minus the cosine of ``w1`` and ``w2``."""
        return 1 - self.similarity(w1, w2)

    def distances(self, word_or_vector, other_words=()):
        """Return 1 minus the cosine of ``word_or_vector`` with each of ``other_words``
        (default: every key), as an array."""
        vector = self.get_vector(word_or_vector) if isinstance(word_or_vector, KEY_TYPES) else word_or_vector
        others = self.vectors if not other_words else self.vectors[[self.get_index(w) for w in other_words]]
        return 1 - self.cosine_similarities(vector, others)

    def n_similarity(self, ws1, ws2):
        """Return the cosine of the mean vectors of the word lists ``ws1`` and ``ws2``."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("At least one of the passed list is empty.")
        first = self.get_mean_vector(ws1, pre_normalize=False)
        second = self.get_mean_vector(ws2, pre_normalize=False)
        return np.dot(unit_vector(first), unit_vector(second))

    def closer_than(self, key1, key2):
        """Return the keys closer to ``key1`` than ``key2`` is."""
        distances = self.distances(key1)
        first, second = self.get_index(key1), self.get_index(key2)
        return [self.words[k] for k in np.where(distances < distances[second])[0] if k != first]

    def rank(self, key1, key2):
        """Return the rank of ``key2`` among the keys nearest to ``key1`` (1 = nearest)."""
        return len(self.closer_than(key1, key2)) + 1

    def most_similar_to_given(self, key1, keys_list):
        """Return the key of ``keys_list`` most similar to ``key1``."""
        return keys_list[int(np.argmax([self.similarity(key1, key) for key in keys_list]))]

    # ------------------------------------------------------------------ evaluation
    def evaluate_word_analogies(self, analogies, restrict_vocab=300000, case_insensitive=True,
                                dummy4unknown=False, similarity_function="most_similar"):
        """Score analogy questions as gensim does; return ``(accuracy, sections)``
        (see :func:`word2vec_cli.query.gensim_eval.evaluate_word_analogies`)."""
        from .gensim_eval import evaluate_word_analogies

        if similarity_function != "most_similar":
            raise TypeError(f"similarity_function={similarity_function!r} is not supported (only 'most_similar')")
        return evaluate_word_analogies(self, analogies, restrict_vocab, case_insensitive, dummy4unknown)

    def evaluate_word_pairs(self, pairs, delimiter="\t", encoding="utf8", restrict_vocab=300000,
                            case_insensitive=True, dummy4unknown=False):
        """Correlate the cosines of word pairs with human scores as gensim does;
        return ``(pearson, spearman, oov_ratio)`` (see
        :func:`word2vec_cli.query.gensim_eval.evaluate_word_pairs`)."""
        from .gensim_eval import evaluate_word_pairs

        return evaluate_word_pairs(self, pairs, delimiter, encoding, restrict_vocab, case_insensitive, dummy4unknown)

    # ------------------------------------------------------------------ files
    def save_word2vec_format(self, fname, fvocab=None, binary=False, total_vec=None, write_header=True,
                             prefix="", append=False, sort_attr="count"):
        """Write the vectors in word2vec's text or binary format (text with every
        float32 exactly, as gensim writes it), most frequent first when the vectors
        have ``sort_attr`` (``count``: vectors a model trained), else in row order;
        ``fvocab`` also gets ``word count`` lines. Returns nothing. ``total_vec``,
        ``write_header=False``, ``prefix`` and ``append`` are refused with TypeError."""
        from ..vectors.word2vec_format import save_vocabulary, save_word2vec_format

        for name, value, default in (("total_vec", total_vec, None), ("write_header", write_header, True),
                                     ("prefix", prefix, ""), ("append", append, False)):
            if value != default:
                raise TypeError(f"save_word2vec_format: {name}={value!r} is not supported")
        attribute = self.__dict__.get("_attrs", {}).get(sort_attr)
        if attribute is None:
            if fvocab is not None:
                raise ValueError(f"Cannot store vocabulary with '{sort_attr}' because that attribute does not exist")
            words, matrix = self.words, self.vectors
        else:  # gensim's order: by descending count, ties in row order
            order = np.argsort(-np.asarray(attribute), kind="stable")
            words, matrix = [self.words[k] for k in order], self.vectors[order]
            if fvocab is not None:
                save_vocabulary(fvocab, words, np.asarray(attribute)[order])
        save_word2vec_format(fname, words, matrix, binary=bool(binary))

    @classmethod
    def load_word2vec_format(cls, fname, fvocab=None, binary=False, encoding="utf8", unicode_errors="strict",
                             limit=None, datatype=np.float32, no_header=False):
        """Read a word2vec text or binary vector file (``binary`` says which);
        ``limit`` reads the first words only; words are decoded with ``encoding``
        and ``unicode_errors``. Returns :class:`KeyedVectors`. Raises
        :class:`~word2vec_cli.errors.Word2VecError` for a missing or corrupt file;
        ``fvocab``, ``no_header`` and a ``datatype`` other than float32 are refused
        with TypeError."""
        from ..vectors.word2vec_format import load_word2vec_format

        for name, value, default in (("fvocab", fvocab, None), ("no_header", no_header, False)):
            if value != default:
                raise TypeError(f"load_word2vec_format: {name}={value!r} is not supported")
        if np.dtype(datatype) != np.float32:
            raise TypeError(f"load_word2vec_format: datatype={datatype!r} is not supported (float32 only)")
        words, matrix = load_word2vec_format(fname, binary=bool(binary), encoding=encoding,
                                             unicode_errors=unicode_errors, limit=limit)
        return cls(words, matrix, _trusted=True)

    @classmethod
    def load(cls, fname, mmap=None, format=None, limit=None):
        """Read a vector file written by :meth:`save` (text or binary, detected; or
        ``format='npy'``); return :class:`KeyedVectors`. Never unpickles; ``mmap``
        (gensim's) is refused with TypeError."""
        from ..vectors.read import load as load_file

        if mmap is not None:
            raise TypeError(f"KeyedVectors.load: mmap={mmap!r} is not supported (vector files are read whole)")

        loaded = load_file(fname, format=format, limit=limit)
        return cls(loaded.words, loaded.vectors, _trusted=True)

    def save(self, path, binary=False, format=None):
        """Write the vectors to ``path``: ``format`` ``'text'`` (the reference's),
        ``'binary'`` or ``'npy'`` (``path.npy`` plus ``path.vocab``); without it
        ``binary`` chooses. Never pickles. Returns nothing."""
        from ..vectors.npy import save_npy
        from ..vectors.write import save_vectors

        format = format or ("binary" if binary else "text")
        if format == "npy":
            save_npy(os.fspath(path), self.words, self.vectors)
        elif format in ("text", "binary"):
            save_vectors(os.fspath(path), self.words, self.vectors, binary=format == "binary")
        else:
            raise ValueError(f"unknown vector format {format!r}; use one of {', '.join(FORMATS)}")

    # ------------------------------------------------------------------ the reference's queries
    _space = None

    def query_space(self):
        """Return a :class:`~word2vec_cli.query.space.QuerySpace` over these vectors
        (built on first use and kept: change ``vectors`` in place and it is out of date)."""
        if self._space is None:
            from .space import QuerySpace

            self._space = QuerySpace(self)
        return self._space

    def analogy(self, a, b, c, n=40, method="add"):
        """Return the ``n`` best answers to "a is to b as c is to ?" as (word, score)
        pairs, scored as the reference's ``word-analogy`` does: ``method`` ``'add'``
        (b - a + c, positive scores only) or ``'mul'`` (3CosMul). Raises KeyError
        for an unknown word."""
        return self.query_space().analogy(a, b, c, n=n, method=method)

