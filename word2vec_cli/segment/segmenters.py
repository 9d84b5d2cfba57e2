"""The segmenters behind ``word2vec segment``, each turning a block of whole lines
(str) into segmented UTF-8 bytes, one output line per input line."""

import numpy as np
from numba import njit

from ..errors import UsageError, Word2VecError
from .han import HAN, char_class, emit, from_codepoints, han_runs, pretokenize, to_codepoints

#: Names accepted by ``-method``.
METHODS = ("jieba", "jieba-nohmm", "jieba-full", "char", "maxmatch")


@njit(cache=True, nogil=True)
def _start_every_han(cps, start):
    """Make every Han character of ``cps`` a token of its own (sets ``start``)."""
    for i in range(cps.shape[0]):
        if char_class(cps[i]) == HAN:
            start[i] = 1


class Segmenter:
    """Common part: pre-tokenization flags. Subclasses set the starts inside Han runs
    in :meth:`mark` (or rewrite the text in :meth:`rewrite`)."""

    def __init__(self, drop_punct=False, normalise=False):
        self.drop_punct = bool(drop_punct)
        self.normalise = bool(normalise)

    def rewrite(self, text):
        """Return the text to pre-tokenize (the identity here)."""
        return text

    def mark(self, text, cps, start):
        """Set the word starts inside Han runs (nothing here: a Han run is one token)."""

    def segment(self, text):
        """Return the UTF-8 bytes of ``text`` (str of whole lines) segmented."""
        text = self.rewrite(text)
        cps = to_codepoints(text)
        keep = np.empty(cps.shape[0], dtype=np.uint8)
        start = np.empty(cps.shape[0], dtype=np.uint8)
        pretokenize(cps, keep, start, self.drop_punct)
        self.mark(text, cps, start)
        return from_codepoints(emit(cps, keep, start, self.normalise))


class CharSegmenter(Segmenter):
    """Every Han character is a token."""

    def mark(self, text, cps, start):
        _start_every_han(cps, start)


class MaxMatchSegmenter(Segmenter):
    """Forward, backward or bidirectional maximum matching over a :class:`WordList`."""

    def __init__(self, word_list, direction="both", **flags):
        super().__init__(**flags)
        self.word_list = word_list
        self.direction = direction

    def mark(self, text, cps, start):
        self.word_list.segment(cps, start, self.direction)


class JiebaPrecise(Segmenter):
    """jieba's precise mode (with or without its HMM) on each Han run."""

    def __init__(self, jieba_segmenter, **flags):
        super().__init__(**flags)
        self.jieba = jieba_segmenter

    def mark(self, text, cps, start):
        words = self.jieba.words
        for b, e in han_runs(cps).tolist():
            position = b
            for word in words(text[b:e]):
                start[position] = 1
                position += len(word)


class JiebaFull(JiebaPrecise):
    """jieba's full mode: every dictionary word of each Han run, overlapping (the
    output then has more characters than the input)."""

    def rewrite(self, text):
        cps = to_codepoints(text)
        pieces = []
        last = 0
        for b, e in han_runs(cps).tolist():
            pieces.append(text[last:b])
            pieces.append(" " + " ".join(self.jieba.words(text[b:e])) + " ")
            last = e
        pieces.append(text[last:])
        return "".join(pieces)

    def mark(self, text, cps, start):
        pass  # the words are already separated by spaces


def make_segmenter(method, user_dict=None, direction="both", drop_punct=False, normalise=False, dict_only=False):
    """Return a segmenter for ``method`` (see :data:`METHODS`).

    ``user_dict`` adds words to jieba's dictionary, or is (with jieba's dictionary
    when the ``zh`` extra is installed) the word list of ``maxmatch``. ``direction``
    is maxmatch's: ``forward``, ``backward`` or ``both``; with ``dict_only`` maxmatch
    uses only ``user_dict``'s words.
    """
    flags = dict(drop_punct=drop_punct, normalise=normalise)
    if method == "char":
        return CharSegmenter(**flags)
    if method == "maxmatch":
        return MaxMatchSegmenter(load_word_list(user_dict, not dict_only), direction, **flags)
    if method in ("jieba", "jieba-nohmm", "jieba-full"):
        from .jieba_backend import JiebaSegmenter

        mode = {"jieba": "precise", "jieba-nohmm": "nohmm", "jieba-full": "full"}[method]
        jieba = JiebaSegmenter(mode, user_dict)
        return JiebaFull(jieba, **flags) if mode == "full" else JiebaPrecise(jieba, **flags)
    raise UsageError(f"unknown segmenter {method!r}; use one of {', '.join(METHODS)}")


def load_word_list(user_dict=None, with_jieba=True):
    """Return the maxmatch :class:`WordList`: jieba's dictionary if the extra is
    installed (and ``with_jieba``), plus the words of ``user_dict``."""
    from .maxmatch import WordList, read_word_list

    words = []
    if not with_jieba:
        if user_dict is None:
            raise UsageError("-dict-only needs -dict FILE")
        return WordList(read_word_list(user_dict))
    try:
        from .jieba_backend import jieba_dictionary_path

        words = read_word_list(jieba_dictionary_path())
    except Word2VecError:
        if user_dict is None:
            raise Word2VecError("maxmatch needs a word list: give -dict FILE, or pip install "
                                "'word2vec-cli[zh]' for jieba's dictionary") from None
    if user_dict is not None:
        words += read_word_list(user_dict)
    return WordList(words)


__all__ = ["METHODS", "make_segmenter", "load_word_list", "Segmenter", "CharSegmenter", "MaxMatchSegmenter",
           "JiebaPrecise", "JiebaFull"]
