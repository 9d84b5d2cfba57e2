"""The context window of a position, shared by every architecture."""

from numba import njit

#: Sentences longer than this are cut into pieces, as in the reference.
MAX_SENTENCE_LENGTH = 1000


@njit(cache=True, nogil=True, inline="always")
def collect_context(sentence, length, position, shrink, window, contexts):
    """Write the context words of ``sentence[position]`` into ``contexts`` and
    return how many there are.

    The window reaches ``window - shrink`` words to each side (the reference's
    random shrink), stops at the sentence's ends and skips the centre word; the
    order is left to right. ``contexts`` needs room for ``2 * min(window, length)`` words.
    """
    n = 0
    # only the slots inside the sentence: a window beyond it costs nothing (same contexts)
    for a in range(max(shrink, window - position), min(2 * window + 1 - shrink, window - position + length)):
        p = position - window + a
        if a != window and p >= 0 and p < length:
            contexts[n] = sentence[p]
            n += 1
    return n


@njit(cache=True, nogil=True, inline="always")
def collect_positions(sentence, length, position, window, contexts, slots):
    """Write the words of the full window around ``sentence[position]`` into
    ``contexts`` and their slots into ``slots``; return how many there are.

    The order-sensitive architectures (``-type 2`` and ``3``) use the whole window,
    as wang2vec does (no random shrink). Slot ``a`` in ``0 .. 2 window - 1`` is the
    relative position ``a - window`` for ``a < window`` and ``a - window + 1`` after
    it (the centre has no slot). Positions past the sentence's ends get no word:
    for cwindow their part of the projection is zero. Both arrays need room for
    ``2 * window`` entries.
    """
    n = 0
    for a in range(max(0, window - position), min(2 * window + 1, window - position + length)):
        p = position - window + a
        if a != window and p >= 0 and p < length:
            contexts[n] = sentence[p]
            slots[n] = a if a < window else a - 1
            n += 1
    return n
