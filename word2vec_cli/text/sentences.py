"""Python sentences as training text: what the gensim-style API trains on.

gensim trains on any re-iterable of sentences, each a list of str. The corpus
encoder (:mod:`.corpus`) reads text, so :func:`write_sentences` streams the
sentences into a text file, one line per sentence with its words joined by single
spaces, a few thousand sentences at a time: memory stays flat whatever the corpus size,
and the text is read once into the token file as any corpus is. A word that could
not survive that (empty, or containing a space, tab, newline or carriage return,
which the tokenizer splits on or drops) is refused with a one-line error naming the
sentence.

:class:`LineSentence` is gensim's reader of such files (one sentence per line,
words separated by whitespace), for scripts that use it.
"""

import itertools
import os

from ..errors import Word2VecError

#: Characters the corpus tokenizer splits on or drops: a word may not contain them.
_BREAKING = (" ", "\t", "\n", "\r")
#: Sentences joined, checked and written at a time.
_CHUNK = 4096


class SentenceCounts:
    """What :func:`write_sentences` saw: ``sentences`` (every one, empty ones
    included, as gensim's ``corpus_count``), ``words`` (their words) and
    ``lines`` (non-empty sentences written)."""

    def __init__(self):
        self.sentences = 0
        self.words = 0
        self.lines = 0


def _bad_word(sentence, number):
    """Return the one-line error for the first word of ``sentence`` that cannot be written."""
    for word in sentence:
        if not isinstance(word, str):
            return Word2VecError(f"sentence {number}: words must be str, got {type(word).__name__} {word!r}")
        if not word or any(ch in word for ch in _BREAKING):
            return Word2VecError(f"sentence {number}: the word {word!r} is empty or contains whitespace "
                                 "(a space, tab, newline or carriage return); split it or replace it")
    return Word2VecError(f"sentence {number}: cannot be written as one line of words")


def write_sentences(sentences, handle):
    """Write ``sentences`` (an iterable of lists of str) to the binary file ``handle``
    as text, one line per non-empty sentence; return :class:`SentenceCounts`.

    Raises :class:`Word2VecError` for a sentence that is a bare str, or a word
    that is not a str, is empty or contains whitespace. Iterates ``sentences`` once.
    """
    counts = SentenceCounts()
    if isinstance(sentences, (str, bytes)):
        raise Word2VecError("sentences must be an iterable of lists of words, not a single str "
                            "(pass corpus_file= for a file)")
    try:
        iterator = iter(sentences)
    except TypeError:
        raise Word2VecError(f"sentences must be an iterable of lists of words, got {type(sentences).__name__}") \
            from None
    while True:
        chunk = list(itertools.islice(iterator, _CHUNK))
        if not chunk:
            return counts
        first = counts.sentences + 1
        counts.sentences += len(chunk)
        if not all(type(sentence) is list for sentence in chunk):
            chunk = [_as_list(sentence, first + k) for k, sentence in enumerate(chunk)]
        try:
            lines = [" ".join(sentence) for sentence in chunk]
        except TypeError:
            _find_bad_word(chunk, first)
        n_words = sum(map(len, chunk))
        if "" in lines:  # empty sentences are skipped; a sentence of empty words is refused
            for k, (sentence, line) in enumerate(zip(chunk, lines)):
                if not line and sentence:
                    raise _bad_word(sentence, first + k)
            lines = [line for line in lines if line]
            if not lines:
                continue
        text = "\n".join(lines) + "\n"
        # join put exactly n - 1 spaces in each line: any other space, an empty word,
        # or a tab, newline or carriage return inside a word shows in the whole text
        # (C-speed scans; only then look sentence by sentence)
        if (text.count(" ") != n_words - len(lines) or text.count("\n") != len(lines) or "\t" in text
                or "\r" in text or "  " in text or " \n" in text or "\n " in text or text[0] == " "):
            _find_bad_word(chunk, first)
        try:
            handle.write(text.encode("utf-8", "surrogateescape"))
        except UnicodeEncodeError as exc:
            raise Word2VecError(f"sentences {first}-{counts.sentences}: a word cannot be encoded as UTF-8 "
                                f"({exc.reason})") from None
        counts.words += n_words
        counts.lines += len(lines)


def _as_list(sentence, number):
    """Return ``sentence`` as a list of its words; raise for a bare str or bytes."""
    if isinstance(sentence, (str, bytes)):
        raise Word2VecError(f"sentence {number}: a sentence must be a list of words, "
                            f"got a {type(sentence).__name__} ({sentence[:40]!r})")
    try:
        return list(sentence)
    except TypeError:
        raise Word2VecError(f"sentence {number}: a sentence must be a list of words, "
                            f"got {type(sentence).__name__}") from None


def _find_bad_word(chunk, first):
    """Raise the one-line error for the first sentence of ``chunk`` (numbered from
    ``first``) that cannot be written as a line of words."""
    for k, sentence in enumerate(chunk):
        if any(not isinstance(w, str) or not w or any(ch in w for ch in _BREAKING) for w in sentence):
            raise _bad_word(sentence, first + k)
    raise Word2VecError(f"sentences {first}-{first + len(chunk) - 1}: cannot be written as lines of words")


class LineSentence:
    """Sentences from a text file with one sentence a line, words separated by
    whitespace, as gensim's ``LineSentence``: iterating yields lists of str, lines
    longer than ``max_sentence_length`` words come in pieces, ``limit`` stops after
    that many lines. ``source`` is a path (``.gz``, ``.bz2``, ``.xz`` are read
    decompressed) or a binary file object (read from its start each time)."""

    def __init__(self, source, max_sentence_length=10000, limit=None):
        self.source = source
        self.max_sentence_length = max_sentence_length
        self.limit = limit

    def __iter__(self):
        from ..files.inputs import open_input

        if hasattr(self.source, "read"):
            self.source.seek(0)
            yield from self._sentences(self.source)
            return
        with open_input(os.fspath(self.source)) as stream:
            yield from self._sentences(stream)

    def _sentences(self, stream):
        step = self.max_sentence_length
        for number, line in enumerate(_lines(stream)):
            if self.limit is not None and number >= self.limit:
                return
            if isinstance(line, bytes):
                line = line.decode("utf-8", "surrogateescape")
            words = line.split()
            for start in range(0, len(words), step):
                yield words[start: start + step]


def _lines(stream, block_size=1 << 20):
    """Yield the lines of a binary ``stream`` read in blocks (bytes, each with its newline)."""
    rest = b""
    while True:
        block = stream.read(block_size)
        if not block:
            break
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        for line in lines:
            yield line
    if rest:
        yield rest
