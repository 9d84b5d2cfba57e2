"""gensim 4's ``Word2Vec`` class on this package's trainer: switch with one import.

``Word2Vec(sentences, vector_size=100, window=5, min_count=1, workers=4)`` takes
gensim's parameter names and defaults and trains with gensim's rules (``-quality
1``: README, "Quality against gensim") on the numba kernels. ``sentences`` is any
iterable of lists of str (iterated once, streamed to a temporary text file that the
corpus encoder reads, then deleted: memory stays flat), ``corpus_file`` a text file
of one sentence a line. The model lives in a model file (``-save-model``) in a
private temporary folder: :meth:`Word2Vec.train` continues it
(``-init-model``, with ``-update-vocab 1`` after ``build_vocab(update=True)``),
:meth:`Word2Vec.save` copies it, :meth:`Word2Vec.load` opens one; nothing is ever
pickled. ``wv`` is a :class:`~word2vec_cli.query.keyedvectors.KeyedVectors` without
the reference's line-end word ``</s>``.

A parameter gensim has and this does not support with the value given is refused
by name (:class:`~word2vec_cli.errors.UsageError`), never ignored.
"""

import os
import shutil
import tempfile

import numpy as np

from .errors import UsageError, Word2VecError
from .query.keyedvectors import KeyedVectors

#: The end of gensim's learning-rate schedule, the only one the trainer has (-quality floor).
MIN_ALPHA = 0.0001
#: Parameters accepted with gensim's default value only: name -> (default, why).
_FIXED = {
    "max_vocab_size": (None, "the vocabulary is pruned as the reference does, past 21 million words"),
    "ns_exponent": (0.75, "negative samples follow count^0.75"),
    "cbow_mean": (1, "CBOW averages its context"),
    "min_alpha": (MIN_ALPHA, "the learning rate falls linearly to 0.0001"),
    "null_word": (0, "there is no padding word"),
    "trim_rule": (None, "the vocabulary keeps the words reaching min_count"),
    "sorted_vocab": (1, "the vocabulary is always sorted by count"),
    "batch_words": (10000, "threads take whole shares of the corpus, sentences up to 10000 words"),
    "shrink_windows": (True, "windows always shrink at random, as in the reference"),
}


def _refuse(name, value, default, why):
    if not (value is default or (value == default and type(value) is type(default))
            or (isinstance(default, float) and isinstance(value, (int, float)) and float(value) == default)):
        raise UsageError(f"Word2Vec: {name}={value!r} is not supported ({why}); leave it at {default!r}")


class CallbackAny2Vec:
    """Base class of training callbacks, as gensim's: override any of
    ``on_train_begin``, ``on_epoch_begin``, ``on_epoch_end``, ``on_train_end``;
    each receives the model. (Objects of gensim's own class work too.)"""

    def on_epoch_begin(self, model):
        """Called before each epoch."""

    def on_epoch_end(self, model):
        """Called after each epoch, the threads waiting: ``model.wv`` is current."""

    def on_train_begin(self, model):
        """Called when a call of :meth:`Word2Vec.train` starts."""

    def on_train_end(self, model):
        """Called when a call of :meth:`Word2Vec.train` ends."""


class _Staged:
    """A corpus ready for the trainer: a text path (ours, deleted with :meth:`close`,
    or the user's ``corpus_file``) and the counts of its sentences."""

    def __init__(self, source, path, owned, sentences=None, words=None):
        self.source, self.path, self.owned = source, path, owned
        self.sentences, self.words = sentences, words

    def close(self):
        if self.owned and os.path.exists(self.path):
            os.unlink(self.path)


class _Words:
    """Words and counts, as a vocabulary has them."""

    def __init__(self, words, counts):
        self.words, self.counts = words, counts


class Word2Vec:
    """gensim 4's ``Word2Vec``: trains on ``sentences`` (an iterable of lists of
    str) or ``corpus_file`` at once when either is given; otherwise call
    :meth:`build_vocab` and :meth:`train`. The parameters are gensim's, with its
    defaults; ``workers`` are threads; ``tmpdir`` (ours) is the folder of the
    temporary text, token and model files. See the module's description."""

    def __init__(self, sentences=None, corpus_file=None, vector_size=100, alpha=0.025, window=5, min_count=5,
                 max_vocab_size=None, sample=1e-3, seed=1, workers=3, min_alpha=0.0001, sg=0, hs=0, negative=5,
                 ns_exponent=0.75, cbow_mean=1, hashfxn=hash, epochs=5, null_word=0, trim_rule=None,
                 sorted_vocab=1, batch_words=10000, compute_loss=False, callbacks=(), comment=None,
                 max_final_vocab=None, shrink_windows=True, tmpdir=None):
        given = dict(max_vocab_size=max_vocab_size, ns_exponent=ns_exponent, cbow_mean=cbow_mean,
                     min_alpha=min_alpha, null_word=null_word, trim_rule=trim_rule, sorted_vocab=sorted_vocab,
                     batch_words=batch_words, shrink_windows=shrink_windows, max_final_vocab=max_final_vocab)
        for name, (default, why) in _FIXED.items():
            _refuse(name, given[name], default, why)
        if hashfxn is not hash:
            raise UsageError("Word2Vec: hashfxn is not supported (the initial vectors come from the seed)")
        if sentences is not None and corpus_file is not None:
            raise TypeError("Word2Vec: pass sentences or corpus_file, not both")
        self.vector_size, self.alpha, self.window, self.min_count = int(vector_size), alpha, window, min_count
        self.sample, self.seed, self.workers, self.min_alpha = sample, seed, workers, min_alpha
        self.sg, self.hs, self.negative, self.epochs = int(bool(sg)), int(bool(hs)), negative, epochs
        self.ns_exponent, self.cbow_mean, self.max_final_vocab = ns_exponent, cbow_mean, max_final_vocab
        self.shrink_windows, self.compute_loss, self.comment = shrink_windows, bool(compute_loss), comment
        self.callbacks = tuple(callbacks)
        if max_final_vocab is not None and not (isinstance(max_final_vocab, int) and max_final_vocab > 0):
            raise UsageError(f"Word2Vec: max_final_vocab={max_final_vocab!r} must be a positive int or None")
        #: gensim's: min_count, raised when ``max_final_vocab`` asks for fewer words
        self.effective_min_count = min_count
        self.tmpdir = tmpdir
        self.corpus_count, self.corpus_total_words = 0, 0
        self.wv = KeyedVectors(self.vector_size)
        self.running_training_loss = 0.0
        self._folder = tempfile.TemporaryDirectory(prefix="word2vec-gensim-", dir=tmpdir)
        self._model = None  # the model file of the latest training
        self._vocab_file = None  # the vocabulary of build_vocab, before the first training
        self._update = False  # build_vocab(update=True) seen: the next training adds words
        self._staged = None
        self._serial = 0
        self._live = None  # the run, while training (callbacks read its vectors and loss)
        self._loss_base = 0.0  # its loss when this train() call started
        self._check()
        if sentences is not None or corpus_file is not None:
            try:
                staged = self._stage(sentences, corpus_file)
                if max_final_vocab is not None:  # its words must be counted before training
                    self.build_vocab(sentences, corpus_file)
                self._train_staged(staged, self.epochs, self.alpha, self.callbacks, self.compute_loss)
            except BaseException:
                self._folder.cleanup()  # no model comes of it: its folder goes at once
                raise

    # ------------------------------------------------------------------ corpora
    def _check(self):
        self._options(train=os.devnull).resolved()  # bad sizes, windows, rates: refused now

    def _options(self, **extra):
        from .model.options import TrainOptions

        values = dict(size=self.vector_size, window=self.window, sample=self.sample, hs=self.hs,
                      negative=self.negative, threads=self.workers, iter=self.epochs,
                      min_count=self.effective_min_count,
                      alpha=self.alpha, cbow=0 if self.sg else 1, seed=self.seed, quality="1", debug=0,
                      loss=1 if self.compute_loss else 0, tmpdir=self.tmpdir)
        values.update(extra)
        return TrainOptions(**values)

    def _stage(self, sentences, corpus_file):
        """Return the :class:`_Staged` corpus of ``sentences`` or ``corpus_file``
        (the one staged last when it is the same object)."""
        from .text.sentences import write_sentences

        if sentences is None and corpus_file is None:
            raise TypeError("pass corpus_iterable (sentences) or corpus_file")
        if sentences is not None and corpus_file is not None:
            raise TypeError("pass corpus_iterable (sentences) or corpus_file, not both")
        source = sentences if sentences is not None else corpus_file
        if self._staged is not None and self._staged.source is source:
            return self._staged
        self._unstage()
        if corpus_file is not None:
            self._staged = _Staged(source, os.fspath(corpus_file), owned=False)
            return self._staged
        path = self._new_path("sentences", ".txt")
        try:
            with open(path, "wb", buffering=1 << 20) as handle:
                counts = write_sentences(sentences, handle)
        except OSError as exc:
            if os.path.exists(path):
                os.unlink(path)
            raise Word2VecError(f"cannot write the sentences to {path}: {exc.strerror or exc} (set tmpdir=)") from None
        except BaseException:
            os.unlink(path)
            raise
        if counts.lines == 0:
            os.unlink(path)
            raise Word2VecError("the sentences hold no word")
        self._staged = _Staged(source, path, owned=True, sentences=counts.sentences, words=counts.words)
        return self._staged

    def _new_path(self, stem, suffix):
        """Return a path in the model's folder that was never used."""
        self._serial += 1
        return os.path.join(self._folder.name, f"{stem}-{self._serial}{suffix}")

    def _unstage(self):
        if self._staged is not None:
            self._staged.close()
            self._staged = None

    # ------------------------------------------------------------------ gensim's steps
    def build_vocab(self, corpus_iterable=None, corpus_file=None, update=False, progress_per=10000,
                    keep_raw_vocab=False, trim_rule=None, **kwargs):
        """Read the corpus's vocabulary (words reaching ``min_count``). With
        ``update=True`` on a trained model, the next :meth:`train` adds the new
        words of the text it trains on. Returns nothing."""
        if kwargs.pop("sentences", None) is not None:
            raise TypeError("build_vocab: gensim 4 calls it corpus_iterable")
        if kwargs:
            raise TypeError(f"build_vocab: unknown argument(s) {', '.join(sorted(kwargs))}")
        _refuse("trim_rule", trim_rule, None, "the vocabulary keeps the words reaching min_count")
        _refuse("keep_raw_vocab", keep_raw_vocab, False, "the raw counts are not kept")
        staged = self._stage(corpus_iterable, corpus_file)
        if update:
            if self._model is None:
                raise RuntimeError("You cannot do an online vocabulary-update of a model which has no prior "
                                   "vocabulary. First build the vocabulary of your model with a corpus "
                                   "before doing an online update.")
            self._update = True
            self._note_counts(staged)
            return
        from .jobs import run_training

        self._vocab_file = os.path.join(self._folder.name, "vocabulary.txt")
        counted = 1 if self.max_final_vocab is not None else self.min_count
        result = run_training(self._options(train=staged.path, save_vocab=self._vocab_file, min_count=counted),
                              vectors_wanted=False)
        words, counts = result.vocabulary.words, result.vocabulary.counts
        self.effective_min_count = self.min_count
        if self.max_final_vocab is not None:
            # gensim's rule: one more than the count of the first word past max_final_vocab
            ranked = np.sort(counts[1:])[::-1]
            floor = int(ranked[self.max_final_vocab]) + 1 if self.max_final_vocab < len(ranked) else 1
            self.effective_min_count = max(floor, self.min_count)
            kept = counts >= self.effective_min_count
            kept[0] = True  # </s>
            words, counts = [w for w, k in zip(words, kept) if k], counts[kept]
        self._model, self._update = None, False
        self._note_counts(staged, result.vocabulary)
        self._set_vectors(_Words(words, counts), np.zeros((len(words), self.vector_size), dtype=np.float32))

    def _note_counts(self, staged, vocabulary=None):
        if staged.sentences is not None:
            self.corpus_count, self.corpus_total_words = staged.sentences, staged.words
        elif vocabulary is not None:  # a corpus file: its lines, and its words in the vocabulary
            self.corpus_count = int(vocabulary.counts[0])
            self.corpus_total_words = int(vocabulary.train_words - vocabulary.counts[0])

    def train(self, corpus_iterable=None, corpus_file=None, total_examples=None, total_words=None, epochs=None,
              start_alpha=None, end_alpha=None, word_count=0, queue_factor=2, report_delay=1.0,
              compute_loss=False, callbacks=(), **kwargs):
        """Train on the corpus for ``epochs`` epochs (required, as in gensim, and so
        is ``total_examples`` or ``total_words``; the schedule counts the words
        itself), the rate falling from ``start_alpha`` (default ``alpha``) to
        0.0001; only this call's ``callbacks`` and ``compute_loss`` apply, as in
        gensim. A trained model goes on from its vectors. Returns
        ``(words trained, words trained)`` (gensim's pair of effective and raw words)."""
        if kwargs.pop("sentences", None) is not None:
            raise TypeError("train: gensim 4 calls it corpus_iterable")
        if kwargs:
            raise TypeError(f"train: unknown argument(s) {', '.join(sorted(kwargs))}")
        if epochs is None:
            raise ValueError("You must specify an explicit epochs count. The usual value is epochs=model.epochs.")
        if total_examples is None and total_words is None:
            raise ValueError("You must specify either total_examples or total_words, for proper learning-rate "
                             "and progress calculations. If you've just built the vocabulary using the same "
                             "corpus, using the count cached in the model is sufficient: "
                             "total_examples=model.corpus_count.")
        if end_alpha is not None:
            _refuse("end_alpha", end_alpha, MIN_ALPHA, "the learning rate falls linearly to 0.0001")
        if self._model is None and self._vocab_file is None:
            raise RuntimeError("you must first build vocabulary before training the model")
        staged = self._stage(corpus_iterable, corpus_file)
        # as gensim's train(): these settings hold for this call and stay on the model
        self.alpha = start_alpha or self.alpha
        self.epochs, self.compute_loss = int(epochs), bool(compute_loss)
        return self._train_staged(staged, self.epochs, self.alpha, tuple(callbacks), self.compute_loss)

    def _train_staged(self, staged, epochs, alpha, callbacks, compute_loss):
        from .training.hooked import train_with_hooks

        target = self._new_path("model", ".w2v")
        extra = dict(train=staged.path, iter=epochs, alpha=alpha, save_model=target, loss=1 if compute_loss else 0)
        if self._model is not None:
            # gensim's update: a new Huffman tree over the merged counts, trained rows kept
            extra.update(init_model=self._model, update_vocab=1 if self._update else 0, hs_update="rebuild")
        elif self._vocab_file is not None:
            extra.update(read_vocab=self._vocab_file)
        options = self._options(**extra)
        calls = [(getattr(c, "on_epoch_begin", None), getattr(c, "on_epoch_end", None)) for c in callbacks]

        def begin_training(run):
            self._live, self._loss_base = run, float(run.state.loss)
            self._set_vectors(run.vocabulary, run.state.syn0)
            for callback in callbacks:
                if hasattr(callback, "on_train_begin"):
                    callback.on_train_begin(self)

        def begin_epoch(run):
            for begin, _ in calls:
                if begin is not None:
                    begin(self)

        def end_epoch(run):
            self._set_vectors(run.vocabulary, run.state.syn0)
            for _, end in calls:
                if end is not None:
                    end(self)

        try:
            result = train_with_hooks(options, on_train_begin=begin_training, on_epoch_begin=begin_epoch,
                                      on_epoch_end=end_epoch)
        finally:
            self._live = None
            self._unstage()
        previous, self._model = self._model, target
        if previous is not None and os.path.dirname(previous) == self._folder.name:
            os.unlink(previous)  # our own earlier copy: no longer needed
        self._vocab_file, self._update = None, False
        self.running_training_loss = float(result.loss)
        self._note_counts(staged, result.vocabulary)
        self._set_vectors(result.vocabulary, result.syn0)
        for callback in callbacks:
            if hasattr(callback, "on_train_end"):
                callback.on_train_end(self)
        return result.words, result.words

    def _set_vectors(self, vocabulary, syn0):
        """Make ``wv`` the vectors of ``vocabulary`` without ``</s>`` (a view of ``syn0``)."""
        words, counts = vocabulary.words, vocabulary.counts
        skip = 1 if words and words[0] == "</s>" else 0
        self.wv = KeyedVectors(words[skip:], syn0[skip:], _trusted=True)
        self.wv.__dict__["_attrs"] = {"count": np.asarray(counts[skip:], dtype=np.int64)}

    def get_latest_training_loss(self):
        """Return the training loss of the latest :meth:`train` call so far (float64
        sum over every output, as gensim sums it; 0.0 unless ``compute_loss``)."""
        if self._live is not None:
            return float(self._live.state.loss) - self._loss_base
        return self.running_training_loss

    # ------------------------------------------------------------------ files
    def save(self, fname, *args, **kwargs):
        """Write the model (a model file, never a pickle) to ``fname`` atomically;
        :meth:`load` reads it back. Returns nothing."""
        from .files.outputs import atomic_output

        if args or kwargs:
            raise TypeError("Word2Vec.save takes the path only")
        if self._model is None:
            raise Word2VecError("the model has not been trained yet: nothing to save")
        with open(self._model, "rb") as source, atomic_output(os.fspath(fname)) as target:
            shutil.copyfileobj(source, target, 1 << 24)

    @classmethod
    def load(cls, fname, *args, **kwargs):
        """Open a model file written by :meth:`save` (or ``word2vec -save-model``);
        return a :class:`Word2Vec` ready to query and train further. Raises
        :class:`~word2vec_cli.errors.Word2VecError` for anything else (a pickle too)."""
        from .training.checkpoint import load_model

        if args or kwargs:
            raise TypeError("Word2Vec.load takes the path only")
        saved = load_model(os.fspath(fname))
        opts = saved.options
        model = cls(vector_size=opts.size, alpha=opts.alpha, window=opts.window, min_count=opts.min_count,
                    sample=opts.sample, seed=opts.seed, workers=opts.threads, sg=0 if opts.cbow else 1,
                    hs=opts.hs, negative=opts.negative, epochs=opts.iter, compute_loss=bool(opts.loss))
        model._model = os.fspath(fname)
        model._set_vectors(saved.vocabulary, np.array(saved.state.syn0))
        model.corpus_count = int(saved.vocabulary.counts[0])
        return model

    @property
    def syn1neg(self):
        """The negative-sampling output weights (read from the model file)."""
        return self._saved_array("syn1neg")

    @property
    def syn1(self):
        """The hierarchical-softmax output weights (read from the model file)."""
        return self._saved_array("syn1")

    def _saved_array(self, name):
        from .training.checkpoint import load_model

        if self._model is None:
            raise AttributeError(f"{name}: the model has not been trained yet")
        return np.array(getattr(load_model(self._model).state, name))

    def __str__(self):
        return f"Word2Vec<vocab={len(self.wv)}, vector_size={self.vector_size}, alpha={self.alpha}>"

    __repr__ = __str__

    def __getitem__(self, key):
        raise TypeError("Word2Vec object is not subscriptable: use model.wv[word] (as in gensim 4)")
