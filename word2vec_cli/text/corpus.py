"""Reading the training text once: tokenizing, counting and encoding to a token file.

Tokens follow the reference exactly: bytes, separated by space, tab and newline;
carriage returns are dropped; every newline is also the token ``</s>`` (id 0); words
are cut to their first 98 bytes (at a UTF-8 character boundary: a multi-byte
character is never split, where the reference would split it). The text is streamed in blocks, so memory grows with
the vocabulary, never with the corpus (a 100 MB file with no newline is fine).

In one pass each word is counted in a :class:`~word2vec_cli.wordtable.WordTable` and
its provisional id (first-seen order) appended to an int32 token file. Once the
vocabulary is sorted, one sequential pass over the token file maps provisional ids to
final ids and drops words under ``min-count``. Training then only reads the token
file, through ``numpy.memmap``.
"""

import mmap
import os
import re
import shutil
import tempfile

import numpy as np
from numba import njit

from ..errors import Word2VecError
from ..files.inputs import display_name, is_compressed, is_regular_file
from ..files.outputs import hold_lock, remove_stale
from .chunks import run_until_done, separated_chunks
from .vocab import Vocabulary
from .wordtable import (FNV_OFFSET, FNV_PRIME, MAX_WORD_BYTES, WordTable, find_slot, has_room, insert_at, utf8_cut,
                        word_hash)

#: Token folders: ``word2vec-PID-XXXXXXXX`` (the owner's pid, locked while it lives).
_FOLDER_PATTERN = re.compile(r"^word2vec-(\d+)-[a-z0-9_]{8}$")

#: The reference prunes its vocabulary when it holds more than 0.7 x 30M words.
PRUNE_LIMIT = 21_000_000

_SPACE, _TAB, _NEWLINE, _CR = 32, 9, 10, 13
_SEPARATORS = np.array([_SPACE, _TAB, _NEWLINE], dtype=np.uint8)


@njit(cache=True, nogil=True)
def encode_chunk(chunk, pos, final, slots, hashes, starts, lengths, counts, pool, meta,
                 out, n_out, add, prune_limit, word_buf):
    """Tokenize ``chunk[pos:]``, count each token and write its id to ``out``.

    ``chunk`` ends at a separator unless ``final`` (then a trailing word is kept).
    With ``add`` false, unknown words are skipped (ids are final, as with
    ``-read-vocab``). Returns ``(position, status, n_out)``: the kernel stops early,
    at a token boundary, with status 1 when the table must grow and 2 when it holds
    more than ``prune_limit`` words; ``position`` is where to resume.
    """
    end = chunk.shape[0]
    n_bytes = 0
    dropped = -1  # the first byte cut off a long word (-1: nothing cut)
    h = FNV_OFFSET  # hashed while the word is read: its bytes are visited once
    word_start = pos
    i = pos
    while i <= end:
        at_end = i == end
        c = _SPACE if at_end else chunk[i]
        if c == _SPACE or c == _TAB or c == _NEWLINE:
            if n_bytes > 0 and (not at_end or final):
                if dropped >= 0:  # a long word: cut it at a character boundary
                    kept = utf8_cut(word_buf, n_bytes, dropped)
                    if kept != n_bytes:
                        n_bytes = kept
                        h = word_hash(word_buf, 0, n_bytes)
                slot = find_slot(slots, hashes, starts, lengths, pool, word_buf, 0, n_bytes, h)
                word_id = slots[slot]
                if word_id >= 0:
                    counts[word_id] += 1
                elif add:
                    if not has_room(slots, counts, pool, meta):
                        return word_start, 1, n_out
                    word_id = insert_at(slot, slots, hashes, starts, lengths, counts, pool, meta,
                                        word_buf, 0, n_bytes, h)
                if word_id >= 0:
                    out[n_out] = word_id
                    n_out += 1
                n_bytes = 0
                dropped = -1
                h = FNV_OFFSET
                if add and meta[0] > prune_limit:
                    return i, 2, n_out
            if at_end:
                break
            if c == _NEWLINE:
                counts[0] += 1
                out[n_out] = 0
                n_out += 1
            i += 1
            word_start = i
            continue
        if c != _CR:
            if n_bytes < word_buf.shape[0]:
                word_buf[n_bytes] = c
                h = (h ^ np.uint64(c)) * FNV_PRIME
                n_bytes += 1
            elif dropped < 0:
                dropped = c
        i += 1
    return end, 0, n_out


class TokenFile:
    """The encoded corpus: an int32 file of final word ids in a private temporary folder.

    Attributes: ``path``, ``n_tokens``. :meth:`array` maps the file read-only;
    :meth:`release` lets go of the pages already trained on, so that resident memory
    does not grow with the corpus. :meth:`close` (or ``with``) deletes the folder.
    """

    def __init__(self, folder=None):
        where = folder or tempfile.gettempdir()
        # the folder of a killed run (SIGKILL, a crash) goes when its lock is free
        remove_stale(where, _FOLDER_PATTERN, is_dir=True)
        self._lock = None
        try:
            self.folder = tempfile.mkdtemp(prefix=f"word2vec-{os.getpid()}-", dir=folder)
            self._lock = os.open(self.folder, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise Word2VecError(f"cannot create the token file in {where}: {exc.strerror or exc} "
                                "(set -tmpdir or TMPDIR)") from None
        hold_lock(self._lock)  # held while this process lives (see files.outputs.remove_stale)
        self.path = os.path.join(self.folder, "tokens.int32")
        self.n_tokens = 0
        #: where threads 1.. start reading, as the reference's do (see :func:`encode`)
        self.thread_starts = None
        self._map = None

    def array(self):
        """Return the tokens as a read-only int32 array over a memory map of the file."""
        if self.n_tokens == 0:
            return np.zeros(0, dtype=np.int32)
        if self._map is None:
            with open(self.path, "rb") as handle:
                self._map = mmap.mmap(handle.fileno(), 4 * self.n_tokens, access=mmap.ACCESS_READ)
        return np.frombuffer(self._map, dtype=np.int32, count=self.n_tokens)

    def release(self, begin, end):
        """Drop the resident pages of tokens ``[begin, end)`` from this process.

        Harmless if they are read again (they come back from the page cache), so a
        caller may release a little too eagerly. Returns nothing.
        """
        if self._map is None or not hasattr(mmap, "MADV_DONTNEED"):
            return
        start = (4 * begin) // mmap.PAGESIZE * mmap.PAGESIZE + mmap.PAGESIZE  # whole pages only
        stop = (4 * end) // mmap.PAGESIZE * mmap.PAGESIZE
        if stop > start:
            self._map.madvise(mmap.MADV_DONTNEED, start, stop - start)

    def close(self):
        """Unmap and delete the token file and its folder."""
        if self._map is not None:
            try:
                self._map.close()
            except BufferError:  # an array still views the map; the OS unmaps at exit
                pass
            self._map = None
        shutil.rmtree(self.folder, ignore_errors=True)
        if getattr(self, "_lock", None) is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _encode_pass(path, table, sink, add, prune_limit=PRUNE_LIMIT, on_prune=None, on_bytes=None,
                 on_kernels_loaded=None, byte_range=None, marks=(), marked=None):
    """Run :func:`encode_chunk` over the whole of ``path`` (or its ``byte_range``),
    growing/pruning ``table``.

    Each batch of ids goes to ``sink(ids)``. ``on_prune(table)`` is called when the
    table passes ``prune_limit`` words and must shrink it; ``on_kernels_loaded()``
    once, after the first piece (the counting kernels are linked then). For each of
    the sorted byte offsets ``marks``, the number of ids sunk before the text at that
    offset (:func:`_cut_before`) is appended to the list ``marked``. Returns the
    number of text bytes read.
    """
    word_buf = np.zeros(MAX_WORD_BYTES, dtype=np.uint8)
    out = np.zeros(0, dtype=np.int32)
    linked = False
    written = [0]  # ids in ``out`` not yet given to the sink
    sunk = [0]  # ids given to the sink so far
    pending = list(marks)
    n_bytes = 0

    def flush():
        sink(out[:written[0]])
        sunk[0] += written[0]
        written[0] = 0

    def prune():
        flush()
        on_prune(table)

    for data, final in separated_chunks(path, on_bytes, byte_range):
        start = n_bytes
        n_bytes += len(data)
        whole = np.frombuffer(data, dtype=np.uint8)
        if out.shape[0] < whole.shape[0] + 1:
            out = np.zeros(whole.shape[0] + 1, dtype=np.int32)
        # a mark inside this block cuts it in two pieces, each ending at a separator
        cuts = []
        while pending and pending[0] < n_bytes:
            cuts.append(_cut_before(whole, pending.pop(0) - start))
        for piece, (piece_begin, piece_end) in enumerate(zip([0] + cuts, cuts + [len(whole)])):
            chunk = whole[piece_begin:piece_end]
            last = final and piece_end == len(whole)

            def step(position):
                position, status, written[0] = encode_chunk(chunk, position, last, *table.arrays, out,
                                                            written[0], add, prune_limit, word_buf)
                return position, status

            if len(chunk):
                run_until_done(step, table, prune)
            flush()
            if piece < len(cuts) and marked is not None:  # this piece ends at a mark
                marked.append(sunk[0])
        if not linked and on_kernels_loaded is not None:  # LLVM is idle from here on
            on_kernels_loaded()
            linked = True
    if marked is not None:  # marks past the text (a file that shrank while read)
        marked.extend([sunk[0]] * (len(marks) - len(marked)))
    return n_bytes


def _cut_before(chunk, offset):
    """Return where to cut ``chunk`` (which ends at a separator unless it ends the
    text) so that the first piece holds the tokens before byte ``offset`` as a
    reference thread that starts reading at ``offset`` skips them: a word that
    ``offset`` falls inside goes into the first piece (the reference's thread reads
    only a fragment of it, mostly not a word of the vocabulary), a separator or word
    starting at ``offset`` into the second."""
    if offset <= 0:
        return 0
    if chunk[offset - 1] in _SEPARATORS:
        return offset
    rest = np.flatnonzero(np.isin(chunk[offset:], _SEPARATORS))
    return len(chunk) if len(rest) == 0 else offset + int(rest[0]) + 1


def encode(path, min_count=5, read_vocab=None, tmpdir=None, prune_limit=PRUNE_LIMIT, progress=None,
           on_kernels_loaded=None, threads=1):
    """Read ``path`` once and return ``(vocabulary, token_file)``.

    Parameters
    ----------
    path : str
        The training text (``-`` for standard input; ``.gz``/``.bz2``/``.xz`` are
        decompressed). A stream (``-``, a FIFO, ``<(...)``) is read exactly once:
        when pruning is needed, the ids already written are renumbered in place
        instead of reading the text again.
    min_count : int
        Words rarer than this are dropped (``</s>`` is always kept).
    read_vocab : Vocabulary, optional
        Use this vocabulary (and its counts) instead of counting the text.
    tmpdir : str, optional
        Where the temporary token file goes (default: ``$TMPDIR``, then the system's
        temporary folder). It takes 4 bytes per token; running out of room raises
        :class:`Word2VecError` naming the folder, with the token file removed.
    prune_limit : int
        Prune rare words whenever the counting table passes this many words.
    progress : callable, optional
        Called with the number of text bytes read after each block.
    on_kernels_loaded : callable, optional
        Called once the counting kernels are loaded (to release the compiler's memory).
    threads : int
        With more than one, and ``path`` a plain (uncompressed, regular) file, the
        token file's ``thread_starts`` are set: the tokens where threads 1 .. threads-1
        start reading, after the text before ``k / threads`` of the file's bytes, as
        the reference's threads start (:func:`_cut_before`). Otherwise None.

    Returns
    -------
    (Vocabulary, TokenFile)
        The sorted vocabulary and the encoded corpus (final ids, out-of-vocabulary
        words removed). The caller closes the token file.
    """
    tokens = TokenFile(tmpdir)
    try:
        marks = []
        if threads > 1 and is_regular_file(path) and not is_compressed(path):
            size = os.path.getsize(path)
            marks = [size * k // threads for k in range(1, threads)]
        return _encode_into(tokens, path, min_count, read_vocab, prune_limit, progress, on_kernels_loaded, marks)
    except OSError as exc:  # reading errors are Word2VecErrors already: this is the token file
        tokens.close()
        raise Word2VecError(f"cannot write the token file in {os.path.dirname(tokens.folder)}: "
                            f"{exc.strerror or exc} (it needs 4 bytes per word of the text; "
                            "set -tmpdir or TMPDIR)") from None
    except BaseException:
        tokens.close()
        raise


def _encode_into(tokens, path, min_count, read_vocab, prune_limit, progress, on_kernels_loaded, marks):
    """The body of :func:`encode`, writing into ``tokens``; returns ``(vocabulary, tokens)``."""
    marked = []
    with open(tokens.path, "wb") as sink_file:
        def sink(ids):
            sink_file.write(memoryview(ids).cast("B"))
            tokens.n_tokens += len(ids)

        if read_vocab is not None:
            vocabulary = read_vocab
            _check_not_empty(path, _encode_pass(path, _lookup_table(vocabulary), sink, add=False,
                                                on_bytes=progress, on_kernels_loaded=on_kernels_loaded,
                                                marks=marks, marked=marked))
            tokens.thread_starts = marked or None
            return vocabulary, tokens

        table = WordTable()
        table.add(b"</s>")
        pruning = _Pruning(tokens, sink_file, can_reread=is_regular_file(path))
        _check_not_empty(path, _encode_pass(path, table, sink, add=True, prune_limit=prune_limit,
                                            on_prune=pruning, on_bytes=progress,
                                            on_kernels_loaded=on_kernels_loaded, marks=marks, marked=marked))
    vocabulary, remap = Vocabulary.from_table(table, min_count)
    if pruning.rounds and pruning.can_reread:
        # ids written before a prune are stale: encode again with the final words
        tokens.n_tokens = 0
        with open(tokens.path, "wb") as sink_file:
            def resink(ids):
                sink_file.write(memoryview(ids).cast("B"))
                tokens.n_tokens += len(ids)
            marked = []
            _encode_pass(path, _lookup_table(vocabulary), resink, add=False, marks=marks, marked=marked)
    else:
        marked = _remap_in_place(tokens, remap, positions=marked)
    tokens.thread_starts = marked or None
    return vocabulary, tokens


def _check_not_empty(path, n_bytes):
    """Raise the empty-file error for a stream that gave no bytes (an empty regular
    file is refused before reading). Returns nothing."""
    if n_bytes == 0:
        raise Word2VecError(f"training file is empty: {display_name(path)}")


def count_range(path, byte_range, prune_limit=PRUNE_LIMIT):
    """Count the words of ``path``'s bytes ``byte_range`` (see
    :func:`~word2vec_cli.text.chunks.byte_ranges`).

    Returns ``(word_bytes, counts)`` in first-seen order, ``</s>`` first: the
    counts of consecutive ranges merged in range order with
    :meth:`Vocabulary.from_counts` give the vocabulary of the whole file (exactly,
    unless a range passed ``prune_limit`` words and was pruned as the reference prunes).
    """
    table = WordTable()
    table.add(b"</s>")
    _encode_pass(path, table, lambda ids: None, add=True, prune_limit=prune_limit,
                 on_prune=_Pruning(None, None, can_reread=True), byte_range=byte_range)
    n = len(table)
    return table.words(np.arange(n)), table.counts[:n].copy()


def encode_range(path, byte_range, vocabulary, tmpdir=None):
    """Encode ``path``'s bytes ``byte_range`` with a known ``vocabulary``; return the
    :class:`TokenFile` (words outside the vocabulary dropped; the caller closes it)."""
    tokens = TokenFile(tmpdir)
    try:
        with open(tokens.path, "wb") as sink_file:
            def sink(ids):
                sink_file.write(memoryview(ids).cast("B"))
                tokens.n_tokens += len(ids)

            _encode_pass(path, _lookup_table(vocabulary), sink, add=False, byte_range=byte_range)
        return tokens
    except BaseException:
        tokens.close()
        raise


class _Pruning:
    """Prunes the counting table as the reference does: words seen at most
    ``min_reduce`` times go, and ``min_reduce`` grows by one each time."""

    def __init__(self, tokens, sink_file, can_reread):
        self.tokens = tokens
        self.sink_file = sink_file
        self.can_reread = can_reread
        self.min_reduce = 1
        self.rounds = 0

    def __call__(self, table):
        n = len(table)
        keep = np.flatnonzero(table.counts[:n] > self.min_reduce)
        keep = np.concatenate(([0], keep[keep != 0]))
        if not self.can_reread:
            # a stream cannot be read twice: renumber what is written so far
            remap = np.full(n, -1, dtype=np.int32)
            remap[keep] = np.arange(len(keep), dtype=np.int32)
            self.sink_file.flush()
            _remap_in_place(self.tokens, remap, drop=False)
            self.sink_file.seek(0, os.SEEK_END)
        table.keep(keep)
        self.min_reduce += 1
        self.rounds += 1


def _lookup_table(vocabulary):
    """Return a WordTable whose ids are the vocabulary's indices."""
    table = WordTable(len(vocabulary))
    for word in vocabulary.word_bytes:
        table.add(word)
    return table


def _remap_in_place(tokens, remap, drop=True, block=1 << 18, positions=()):
    """Rewrite the token file through ``remap`` (old id -> new id, -1 = dropped).

    With ``drop`` the -1 tokens are removed (the file shrinks); otherwise they stay as
    -1 markers for a later remapping. Ids already -1 stay -1. Reads and writes go
    through one small buffer (no memory map), so memory stays flat whatever the size.
    Returns where the sorted token ``positions`` of the old file are in the new one
    (the number of tokens kept before each).
    """
    n = tokens.n_tokens
    moved = []
    if n == 0:
        return [0] * len(positions)
    table = np.concatenate((remap.astype(np.int32), [-1])).astype(np.int32)
    buffer = np.empty(block, dtype=np.int32)
    written = 0
    with open(tokens.path, "r+b") as handle:
        for begin in range(0, n, block):
            count = min(block, n - begin)
            handle.seek(4 * begin)
            handle.readinto(memoryview(buffer[:count]).cast("B"))
            mapped = table[buffer[:count]]  # -1 indexes the trailing -1
            for position in positions[len(moved):]:
                if position >= begin + count:
                    break
                kept_before = np.count_nonzero(mapped[:position - begin] >= 0) if drop else position - begin
                moved.append(written + int(kept_before))
            if drop:
                mapped = mapped[mapped >= 0]
            handle.seek(4 * written)
            handle.write(mapped.tobytes())
            written += len(mapped)
        if drop:
            handle.truncate(4 * written)
    if drop:
        tokens.n_tokens = written
    return moved + [written] * (len(positions) - len(moved))


__all__ = ["encode", "encode_range", "count_range", "TokenFile", "encode_chunk", "PRUNE_LIMIT"]
