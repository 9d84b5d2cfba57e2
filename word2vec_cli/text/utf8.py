"""Cutting long words without splitting a UTF-8 character (pure Python; the numba
twin used by the tokenizers is :func:`~word2vec_cli.text.wordtable.utf8_cut`)."""


def cut_word(word, limit):
    """Return ``word`` (bytes) cut to at most ``limit`` bytes at a UTF-8 character
    boundary.

    When the first byte cut off continues a character (10xxxxxx), that character's
    bytes before the limit go too (at most 3 continuation bytes and the lead byte);
    bytes that are not valid UTF-8 are cut at the limit, as the reference does.
    """
    if len(word) <= limit:
        return word
    if limit == 0 or (word[limit] & 0xC0) != 0x80:
        return word[:limit]
    k = limit
    while k > 0 and limit - k < 3 and (word[k - 1] & 0xC0) == 0x80:
        k -= 1
    if k > 0 and word[k - 1] >= 0xC0:
        return word[:k - 1]
    return word[:limit]


def count_not_utf8(words):
    """Return how many of ``words`` (bytes) are not valid UTF-8.

    One decode of all of them joined by newlines settles the usual case (every word
    valid: a newline never completes a broken character); only then each is tried.
    """
    try:
        b"\n".join(words).decode("utf-8")
        return 0
    except UnicodeDecodeError:
        pass
    count = 0
    for word in words:
        try:
            word.decode("utf-8")
        except UnicodeDecodeError:
            count += 1
    return count
