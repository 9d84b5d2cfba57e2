"""Characters of Chinese text: classes, pre-tokenization and normalisation.

Text is handled as an array of Unicode code points (uint32; see :func:`to_codepoints`),
which numba kernels walk without Python objects. A segmenter only decides where words
start inside runs of Han characters; everything else is settled here, the same way
for every segmenter:

* spaces (ASCII, ideographic U+3000 and the other Unicode spaces) separate tokens and
  are not written;
* a run of letters and digits (Latin, full-width, Greek, kana, ...) is one token;
  ``.``, ``,`` and ``:`` between two digits stay inside it (``3.5``, ``1,000``, ``18:00``);
* punctuation and symbols (ASCII, full-width, CJK) are tokens of their own, a run of
  the same mark being one token (``——``, ``……``), or are dropped;
* full-width digits and letters (``１``, ``Ａ``) can be normalised to ASCII.

The result of pre-tokenization is two uint8 masks over the code points: ``keep``
(written or not) and ``start`` (a token starts here). Segmenters then set ``start``
inside Han runs and :func:`emit` writes the line.
"""

import numpy as np
from numba import njit

SPACE, NEWLINE, HAN, WORD, PUNCT = 0, 1, 2, 3, 4


@njit(cache=True, nogil=True, inline="always")
def char_class(c):
    """Return the class of code point ``c``: SPACE, NEWLINE, HAN, WORD or PUNCT."""
    if c < 128:
        if c == 10:
            return NEWLINE
        if c <= 32 or c == 127:
            return SPACE
        if (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122):
            return WORD
        return PUNCT
    if 0x4E00 <= c <= 0x9FFF or 0x3400 <= c <= 0x4DBF or 0xF900 <= c <= 0xFAFF or c == 0x3007:
        return HAN
    if 0x20000 <= c <= 0x3134F:
        return HAN
    if c == 0x3000 or c == 0x85 or c == 0xA0 or c == 0x1680 or (0x2000 <= c <= 0x200B) \
            or c == 0x2028 or c == 0x2029 or c == 0x202F or c == 0x205F or c == 0xFEFF:
        return SPACE
    if c < 0x100:  # Latin-1: letters are words, the rest signs
        if c >= 0xC0 and c != 0xD7 and c != 0xF7:
            return WORD
        if c == 0xAA or c == 0xB5 or c == 0xBA:
            return WORD
        return PUNCT
    if 0xFF00 <= c <= 0xFFEF:  # full-width and half-width forms
        if (0xFF10 <= c <= 0xFF19) or (0xFF21 <= c <= 0xFF3A) or (0xFF41 <= c <= 0xFF5A) or (0xFF66 <= c <= 0xFFDC):
            return WORD
        return PUNCT
    if (0x2010 <= c <= 0x2BFF) or (0x2E00 <= c <= 0x2E7F) or (0x3001 <= c <= 0x303F) \
            or (0x3200 <= c <= 0x33FF) or (0xFE10 <= c <= 0xFE6F) or c == 0xFFFD \
            or (0x1F000 <= c <= 0x1FAFF) or (0xE000 <= c <= 0xF8FF):
        return PUNCT
    return WORD


@njit(cache=True, nogil=True, inline="always")
def _is_digit(c):
    return (48 <= c <= 57) or (0xFF10 <= c <= 0xFF19)


@njit(cache=True, nogil=True, inline="always")
def _joins_digits(c):
    # '.', ',', ':' and their full-width forms
    return c == 46 or c == 44 or c == 58 or c == 0xFF0E or c == 0xFF0C or c == 0xFF1A


@njit(cache=True, nogil=True)
def pretokenize(cps, keep, start, drop_punct):
    """Fill ``keep`` and ``start`` (uint8, one per code point) for the text ``cps``.

    Han characters get ``keep = 1`` and ``start = 1`` only at the first character of
    each run (segmenters add the starts inside runs). Returns the number of Han
    characters.
    """
    n = cps.shape[0]
    previous = SPACE
    n_han = 0
    for i in range(n):
        c = cps[i]
        k = char_class(c)
        if k == PUNCT and 0 < i < n - 1 and _joins_digits(c) and _is_digit(cps[i - 1]) and _is_digit(cps[i + 1]):
            k = WORD
        if k == SPACE:
            keep[i] = 0
            start[i] = 0
        elif k == NEWLINE:
            keep[i] = 1
            start[i] = 1
        elif k == PUNCT:
            keep[i] = 0 if drop_punct else 1
            start[i] = 0 if (previous == PUNCT and cps[i - 1] == c) else 1
        else:
            keep[i] = 1
            start[i] = 0 if previous == k else 1
            if k == HAN:
                n_han += 1
        previous = k
    return n_han


@njit(cache=True, nogil=True)
def han_runs(cps):
    """Return an int64 array of shape (runs, 2): [begin, end) of each run of Han characters."""
    n = cps.shape[0]
    count = 0
    inside = False
    for i in range(n):
        h = char_class(cps[i]) == HAN
        if h and not inside:
            count += 1
        inside = h
    runs = np.empty((count, 2), dtype=np.int64)
    r = 0
    inside = False
    for i in range(n):
        h = char_class(cps[i]) == HAN
        if h and not inside:
            runs[r, 0] = i
        if inside and not h:
            runs[r, 1] = i
            r += 1
        inside = h
    if inside:
        runs[r, 1] = n
    return runs


@njit(cache=True, nogil=True, inline="always")
def narrow(c):
    """Return the ASCII form of a full-width digit or letter, ``c`` itself otherwise."""
    if (0xFF10 <= c <= 0xFF19) or (0xFF21 <= c <= 0xFF3A) or (0xFF41 <= c <= 0xFF5A):
        return c - 0xFEE0
    return c


@njit(cache=True, nogil=True, inline="always")
def narrow_mark(c):
    """Return the ASCII form of a full-width ``．``, ``，`` or ``：``, ``c`` itself otherwise."""
    if c == 0xFF0E or c == 0xFF0C or c == 0xFF1A:
        return c - 0xFEE0
    return c


@njit(cache=True, nogil=True)
def emit(cps, keep, start, normalise):
    """Write the segmented text: kept code points, one space before each token start
    that is not first on its line, newlines kept; with ``normalise`` full-width digits
    and letters (and the ``．，：`` inside numbers) become ASCII. Returns a uint32 array."""
    n = cps.shape[0]
    out = np.empty(2 * n + 1, dtype=np.uint32)
    m = 0
    on_line = False
    for i in range(n):
        if keep[i] == 0:
            continue
        c = cps[i]
        if c == 10:
            out[m] = 10
            m += 1
            on_line = False
            continue
        if start[i] and on_line:
            out[m] = 32
            m += 1
        if normalise:
            if _joins_digits(c) and 0 < i < n - 1 and _is_digit(cps[i - 1]) and _is_digit(cps[i + 1]):
                c = narrow_mark(c)  # the separator inside a number: ３．５ -> 3.5
            else:
                c = narrow(c)
        out[m] = c
        m += 1
        on_line = True
    return out[:m]


def to_codepoints(text):
    """Return the code points of ``text`` (str) as a uint32 array."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def from_codepoints(cps):
    """Return the UTF-8 bytes of the code points ``cps``."""
    return cps.tobytes().decode("utf-32-le", "surrogatepass").encode("utf-8", "surrogateescape")


def decode(data):
    """Decode UTF-8 ``data``; invalid bytes become U+FFFD. Returns str."""
    return data.decode("utf-8", "replace")


__all__ = ["SPACE", "NEWLINE", "HAN", "WORD", "PUNCT", "char_class", "pretokenize", "han_runs", "emit",
           "narrow", "to_codepoints", "from_codepoints", "decode"]
