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
        """Return the words of ``run`` (a str of Han characters) as a list of str."""
        if self.full:
            return [w for w in self.tokenizer.cut(run, cut_all=True) if w]
        return list(self.tokenizer.cut(run, HMM=self.hmm))


__all__ = ["JiebaSegmenter", "MODES", "require_jieba", "jieba_dictionary_path", "INSTALL_HINT"]
