"""Streaming text in pieces that end between words, and driving the counting
kernels over them.

Both readers of running text (the corpus encoder and word2phrase) read a file in
1 MB blocks, cut each at its last separator so that no word straddles two pieces,
and run a numba kernel that stops early when its hash table needs room or pruning.
"""

import os

from ..files.inputs import iter_blocks, iter_range_blocks
from .wordtable import MAX_WORD_BYTES

#: Kernel statuses: finished the piece; the table must grow; the table must be pruned.
DONE, NEED_ROOM, NEED_PRUNE = 0, 1, 2

#: A word still unfinished at the end of a block is carried to the next one; past
#: this many bytes it is squeezed (CRs dropped, cut to MAX_WORD_BYTES) to stay bounded.
CARRY_SQUEEZE = 4096


def separated_chunks(path, on_bytes=None, byte_range=None):
    """Yield ``(bytes, final)`` pieces of ``path`` that each end at a separator
    (space, tab or newline).

    The last piece is yielded with ``final=True`` and may end inside a word.
    ``on_bytes(n)`` is called with the size of each block read. ``byte_range``
    ``(begin, end)`` reads only those bytes of a plain file (see :func:`byte_ranges`).
    """
    carry = b""
    blocks = iter_blocks(path) if byte_range is None else iter_range_blocks(path, *byte_range)
    for block in blocks:
        if on_bytes is not None:
            on_bytes(len(block))
        data = carry + block if carry else block
        cut = max(data.rfind(b" "), data.rfind(b"\n"), data.rfind(b"\t"))
        if cut < 0:
            carry = _squeeze(data)
            continue
        carry = _squeeze(data[cut + 1:])
        yield data[:cut + 1], False
    yield carry, True


def byte_ranges(path, parts):
    """Split the plain file ``path`` into ``parts`` contiguous ``(begin, end)`` byte
    ranges of about equal size, each ending just after a separator (or at the end of
    the file), so that no word straddles two ranges: tokenizing the ranges one after
    the other gives exactly the tokens of the whole file. Returns a list (some ranges
    may be empty on a tiny file)."""
    size = os.path.getsize(path)
    bounds = [0]
    with open(path, "rb") as stream:
        for k in range(1, parts):
            target = max(bounds[-1], k * size // parts)
            stream.seek(target)
            position = target
            while True:  # the first separator at or after the target
                block = stream.read(1 << 16)
                if not block:
                    position = size
                    break
                hits = [i for i in (block.find(b" "), block.find(b"\n"), block.find(b"\t")) if i >= 0]
                if hits:
                    position += min(hits) + 1
                    break
                position += len(block)
            bounds.append(position)
    bounds.append(size)
    return [(bounds[k], bounds[k + 1]) for k in range(parts)]


def _squeeze(word_bytes):
    """Shorten an unfinished word that only grows (keeps what the tokenizer would keep)."""
    if len(word_bytes) <= CARRY_SQUEEZE:
        return word_bytes
    # one byte beyond the limit tells the tokenizer whether the cut splits a character
    return word_bytes.replace(b"\r", b"")[:MAX_WORD_BYTES + 1]


def run_until_done(step, table, on_prune):
    """Call ``step(position)`` until it reports :data:`DONE`.

    ``step`` runs a counting kernel from ``position`` and returns ``(position,
    status)``; on :data:`NEED_ROOM` the ``table`` grows, on :data:`NEED_PRUNE`
    ``on_prune()`` shrinks it, and the kernel resumes where it stopped.
    Returns nothing.
    """
    position = 0
    while True:
        position, status = step(position)
        if status == DONE:
            return
        if status == NEED_ROOM:
            table.make_room()
        else:
            on_prune()
