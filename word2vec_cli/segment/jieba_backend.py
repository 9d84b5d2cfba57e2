"""jieba, the optional segmenter (``pip install 'word2vec-cli[zh]'``).

jieba is given only the Han runs found by :mod:`.han`, so that spaces, Latin words,
numbers and punctuation are handled the same way for every segmenter. Modes:
``precise`` (jieba's default: dictionary DAG, best path by word frequencies, and an
HMM for the characters the dictionary leaves single), ``nohmm`` (the same without the
HMM) and ``full`` (every dictionary word found in the text, overlapping).
"""

import logging
import os

from ..errors import Word2VecError

MODES = ("precise", "nohmm", "full")
#: Han runs longer than this (characters) are given to jieba in pieces: its time
#: grows faster than the length of a run (a 300k-character line with no punctuation
#: took minutes), while runs of ordinary text, which end at punctuation (:mod:`.han`),
#: are far shorter. Precise modes keep the words of a piece up to OVERLAP characters
#: before its end and segment the rest again with what follows, so that a cut never
#: falls inside a word jieba would choose; full mode cuts at fixed points.
LONG_RUN, OVERLAP = 1000, 100
INSTALL_HINT = "jieba is not installed: pip install 'word2vec-cli[zh]'"


def require_jieba():
    """Import and return the jieba module, or raise a one-line error naming the extra."""
    try:
        import jieba
    except ImportError:
        raise Word2VecError(INSTALL_HINT) from None
    return jieba


def jieba_dictionary_path():
    """Return the path of jieba's own dictionary (requires the extra)."""
    jieba = require_jieba()
    return os.path.join(os.path.dirname(jieba.__file__), "dict.txt")


class JiebaSegmenter:
    """A jieba tokenizer in one process: ``mode`` one of :data:`MODES`, ``user_dict``
    an optional file of extra words (jieba's ``word [freq] [tag]`` lines)."""

    def __init__(self, mode="precise", user_dict=None):
        if mode not in MODES:
            raise Word2VecError(f"unknown jieba mode {mode!r}")
        jieba = require_jieba()
        jieba.setLogLevel(logging.WARNING)
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        if user_dict:
            try:
                self.tokenizer.load_userdict(os.fspath(user_dict))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise Word2VecError(f"cannot read dictionary {user_dict}: {exc}") from None
        self.hmm = mode == "precise"
        self.full = mode == "full"

    def words(self, run):
        """Return the words of ``run`` (a str of Han characters) as a list of str
        (a run longer than :data:`LONG_RUN` in pieces, bounding the time per character)."""
        if self.full:
            return [w for begin in range(0, len(run), LONG_RUN)
                    for w in self.tokenizer.cut(run[begin:begin + LONG_RUN], cut_all=True) if w]
        words = []
        begin = 0
        while len(run) - begin > LONG_RUN:
            piece = list(self.tokenizer.cut(run[begin:begin + LONG_RUN], HMM=self.hmm))
            kept = taken = 0
            for word in piece:  # at least one word, so that every piece moves on
                if taken and kept + len(word) > LONG_RUN - OVERLAP:
                    break
                kept += len(word)
                taken += 1
            words += piece[:taken]
            begin += kept
        return words + list(self.tokenizer.cut(run[begin:], HMM=self.hmm))


__all__ = ["JiebaSegmenter", "MODES", "require_jieba", "jieba_dictionary_path", "INSTALL_HINT"]
