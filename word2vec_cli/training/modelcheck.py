"""Checking a model file's contents before anything trains on them.

The kernels index the matrices without bounds checks, so a file whose checksums are
valid but whose contents lie (a Huffman path pointing past ``syn1``, a cursor past
the text, a count that is negative, a NaN) must be refused here, with one line
naming the field. The options go through the command line's validation
(:meth:`~word2vec_cli.model.options.TrainOptions.validate`), after a check of their
JSON types; every array's dtype and shape is compared with what a run of those
options on that vocabulary would make (as :meth:`~.run.TrainingRun.new_state` makes
it), and its values with their ranges.
"""

import dataclasses
import math

import numpy as np

from ..errors import UsageError, Word2VecError

#: Bounds a model file's options must keep (beyond the command line's own checks):
#: the kernels allocate ``2 window (negative + 1)`` scratch entries per thread.
MAX_FILE_THREADS = 1024
MAX_FILE_WINDOW = 10_000
MAX_FILE_NEGATIVE = 1_000
#: The schedule's ``iter * words per epoch`` must fit the kernels' int64 arithmetic.
MAX_SCHEDULE_WORDS = 1 << 62
#: Largest weight accepted: the dot product of two rows stays finite in float32
#: (10^30 times the largest -size, 10^5, is far below 3.4e38).
MAX_WEIGHT = 1e15
#: Longest word a vocabulary holds (the tokenizer's limit).
MAX_WORD_BYTES = 98


def _bad(path, why):
    return Word2VecError(f"not a usable word2vec_cli model file: {path}: {why}")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_options(path, stored):
    """Return the :class:`TrainOptions` of the header's ``options`` dict, every field
    type-checked and then validated as the command line's flags are."""
    from ..model.options import RUN_CONTROL, TrainOptions, checkpoint_interval

    fields = {field.name: field for field in dataclasses.fields(TrainOptions)}
    unknown = sorted(set(stored) - set(fields))
    if unknown:
        shown = ", ".join(name[:40] for name in unknown[:5])
        raise Word2VecError(f"model file {path} uses options this version does not know: {shown}")
    defaults = TrainOptions()
    for name, value in stored.items():
        kind, default = fields[name].type, getattr(defaults, name)
        if value is None and (default is None or name in RUN_CONTROL) and name not in ("threads", "alpha"):
            continue
        if kind is float:
            fits = (_is_int(value) and abs(value) < 1e300) or (isinstance(value, float) and math.isfinite(value))
        elif kind is int:
            fits = _is_int(value)
        else:
            fits = isinstance(value, str) and len(value) <= 4096 and "\0" not in value
        if not fits:
            raise _bad(path, f"option {name!r} is not a valid {kind.__name__}: {repr(value)[:40]}")
    options = TrainOptions(**stored)
    if options.threads is None or options.alpha is None:
        raise _bad(path, "options 'threads' and 'alpha' are missing")
    # the training recipe is validated as the flags are; run-control fields come
    # from the command line of the run that loads the file
    check = dataclasses.replace(options, **{name: getattr(defaults, name) for name in RUN_CONTROL})
    check.train = "model file"
    try:
        check.validate()
        checkpoint_interval(options.checkpoint_every)
    except UsageError as exc:
        raise _bad(path, f"options: {exc}") from None
    # a learning rate above 1, or a decay factor 1 - alpha l2 below 0, diverges to NaN
    for name, value, bound in (("threads", options.threads, MAX_FILE_THREADS),
                               ("window", options.window, MAX_FILE_WINDOW),
                               ("negative", options.negative, MAX_FILE_NEGATIVE), ("alpha", options.alpha, 1),
                               ("alpha * l2", options.alpha * options.l2, 1), ("cap", options.cap, MAX_WEIGHT)):
        if value > bound:
            raise _bad(path, f"option {name!r} is {value}, more than the {bound} a model file may hold")
    return options


def check_meta(path, stored, options):
    """Return the header's ``meta`` dict with the fields a run uses checked:
    ``epoch`` (0 to ``iter``), ``epoch_words`` and ``n_tokens`` (non-negative
    integers within the schedule's bounds), ``tree``, ``tokens``, ``text_crc32``."""
    meta = dict(stored)
    for name in ("epoch", "epoch_words", "n_tokens"):
        if not _is_int(meta.get(name)) or meta[name] < 0:
            raise _bad(path, f"meta {name!r} is not a non-negative integer: {repr(meta.get(name))[:40]}")
    if meta["epoch_words"] == 0:
        raise _bad(path, "meta 'epoch_words' is 0 (no text was ever trained on)")
    if meta["epoch"] > options.iter:
        raise _bad(path, f"meta 'epoch' {meta['epoch']} is beyond the schedule's {options.iter} epochs")
    if options.iter * max(meta["epoch_words"], meta["n_tokens"]) >= MAX_SCHEDULE_WORDS:
        raise _bad(path, "meta 'epoch_words' or 'n_tokens' is too large for the schedule")
    if meta.get("tree", "huffman") not in ("huffman", "stored"):
        raise _bad(path, f"meta 'tree' must be huffman or stored, got {repr(meta.get('tree'))[:40]}")
    tokens = meta.get("tokens")
    if tokens is not None and not (isinstance(tokens, dict) and _is_int(tokens.get("crc32"))):
        raise _bad(path, "meta 'tokens' is malformed")
    if meta.get("text_crc32") is not None and not _is_int(meta["text_crc32"]):
        raise _bad(path, "meta 'text_crc32' is not an integer")
    return meta


def _array(path, loaded, name, dtype, shape):
    """Return array ``name``, checked to have ``dtype`` and ``shape`` (None: any length)."""
    array = loaded[name]
    fits = array.dtype == np.dtype(dtype) and array.ndim == len(shape) and all(
        want is None or want == got for want, got in zip(shape, array.shape))
    if not fits:
        wanted = "(" + ", ".join("N" if n is None else str(n) for n in shape) + ")"
        raise _bad(path, f"array {name!r} has shape {array.shape} of {array.dtype}; "
                         f"the options and vocabulary need {wanted} of {np.dtype(dtype)}")
    return array


def check_words(path, loaded):
    """Check the vocabulary arrays (``counts`` int64, non-negative, summing within
    an int64; ``words`` distinct, non-empty, without whitespace, ``</s>`` first);
    return the counts."""
    from ..text.vocab import END_OF_SENTENCE, MAX_COUNT

    counts = _array(path, loaded, "counts", np.int64, (None,))
    words = _array(path, loaded, "words", np.uint8, (None,))
    if len(counts) == 0:
        raise _bad(path, "the vocabulary is empty")
    if int(counts.min()) < 0:
        raise _bad(path, f"array 'counts' holds a negative count ({int(counts.min())})")
    if int(counts.max()) > MAX_COUNT // len(counts) and sum(counts.tolist()) > MAX_COUNT:
        raise _bad(path, "array 'counts' adds up to more than a 64-bit count holds")
    if not counts.any():
        raise _bad(path, "array 'counts' holds only zeros")
    if ((words == 32) | (words == 9) | (words == 13)).any():
        raise _bad(path, "array 'words' holds a word with a space, tab or carriage return")
    word_list = bytes(words).split(b"\n")
    if len(word_list) != len(counts):
        raise _bad(path, f"{len(word_list)} words for {len(counts)} counts")
    if word_list[0] != END_OF_SENTENCE:
        raise _bad(path, "the vocabulary's first word is not </s>")
    if min(map(len, word_list)) == 0 or max(map(len, word_list)) > MAX_WORD_BYTES:
        raise _bad(path, f"array 'words' holds an empty word or one longer than {MAX_WORD_BYTES} bytes")
    if len(set(word_list)) != len(word_list):
        raise _bad(path, "array 'words' holds a word twice")
    return counts


def expected_shapes(options, n_words):
    """Return the shapes of ``syn0``, ``syn1`` and ``syn1neg`` that a run of
    ``options`` on ``n_words`` words has (as :meth:`~.run.TrainingRun.new_state`
    makes them, with the threads' private hot-node rows)."""
    from .shares import hot_nodes_per_thread

    hot = hot_nodes_per_thread(options, n_words)
    arch = options.type if options.type is not None else (0 if options.cbow else 1)
    private_rows = options.threads * (hot + 1) if hot else 0
    hs_rows = n_words + private_rows if options.hs else 1
    ns_rows = n_words if options.negative else 1
    width = 2 * options.window * options.size if arch == 2 else options.size
    blocks = 2 * options.window if arch == 3 else 1
    return (n_words, options.size), (blocks * hs_rows, width), (blocks * ns_rows, width)


def check_arrays(path, loaded, options, meta, n_words):
    """Check the matrices and the per-thread state against the options, the
    vocabulary and each other: shapes and dtypes, finite weights, token ranges inside
    the text, cursors inside their range, counts and epochs within the schedule,
    learning rates in (0, alpha]. Returns nothing."""
    from ..kernels.thread import STATE_CURSOR, STATE_FIELDS, STATE_PUBLISHED, STATE_WORDS

    threads = options.threads
    for name, shape in zip(("syn0", "syn1", "syn1neg"), expected_shapes(options, n_words)):
        matrix = _array(path, loaded, name, np.float32, shape)
        for start in range(0, max(len(matrix), 1), 1 << 16):  # in blocks: no copy of a whole matrix
            if not (np.abs(matrix[start:start + (1 << 16)]) <= MAX_WEIGHT).all():  # NaN fails it too
                raise _bad(path, f"array {name!r} holds a NaN, infinite or absurd (beyond {MAX_WEIGHT:g}) weight")
    state = _array(path, loaded, "threads", np.uint64, (threads, STATE_FIELDS))
    progress = _array(path, loaded, "progress", np.int64, (threads,))
    alphas = _array(path, loaded, "alphas", np.float32, (threads,))
    losses = _array(path, loaded, "losses", np.float64, (threads, 2))
    shares = _array(path, loaded, "shares", np.int64, (threads, 2))
    if loaded.get("thread_epochs") is not None:
        epochs = _array(path, loaded, "thread_epochs", np.int64, (threads,))
        if (epochs < 0).any() or (epochs > options.iter).any():
            raise _bad(path, f"array 'thread_epochs' is outside 0..{options.iter}")
    n_tokens = meta["n_tokens"]
    begins, ends = shares[:, 0], shares[:, 1]
    if (begins < 0).any() or (begins > ends).any() or (ends > n_tokens).any():
        raise _bad(path, f"array 'shares' holds a token range outside the text's {n_tokens} tokens")
    limit = np.uint64(min(n_tokens, 1 << 62))
    cursor, words, published = state[:, STATE_CURSOR], state[:, STATE_WORDS], state[:, STATE_PUBLISHED]
    if (cursor > limit).any() or (cursor.astype(np.int64) < begins).any() or (cursor.astype(np.int64) > ends).any():
        raise _bad(path, "array 'threads' holds a cursor outside its thread's token range")
    if (words > limit).any() or (published > words).any():
        raise _bad(path, "array 'threads' holds word counts outside the epoch")
    if (progress < 0).any() or (progress > options.iter * max(n_tokens, meta["epoch_words"])).any():
        raise _bad(path, "array 'progress' holds a count outside the schedule")
    rates = alphas.astype(np.float64)
    if not (np.isfinite(rates).all() and (rates > 0).all() and (rates <= options.alpha * 1.0001).all()):
        raise _bad(path, f"array 'alphas' holds a learning rate outside (0, {options.alpha}]")
    if not (np.isfinite(losses).all() and (losses >= 0).all()):
        raise _bad(path, "array 'losses' holds a negative or non-finite value")


def check_tree(path, loaded, options, n_words):
    """Check the stored Huffman paths (``codes`` uint8, ``points`` int32 of shape
    (V, 40), ``code_lengths`` int32 (V,): lengths 1..40, bits 0/1, inner nodes
    0..V-2, the root first); return ``(codes, points, code_lengths)``."""
    from ..model.huffman import MAX_CODE_LENGTH

    for name in ("codes", "points", "code_lengths"):
        if loaded.get(name) is None:
            raise _bad(path, f"array {name!r} is missing (meta 'tree' is stored)")
    codes = _array(path, loaded, "codes", np.uint8, (n_words, MAX_CODE_LENGTH))
    points = _array(path, loaded, "points", np.int32, (n_words, MAX_CODE_LENGTH))
    lengths = _array(path, loaded, "code_lengths", np.int32, (n_words,))
    if not options.hs:
        return codes, points, lengths
    if n_words < 2:
        raise _bad(path, "a stored Huffman tree needs at least two words")
    if (lengths < 1).any() or (lengths > MAX_CODE_LENGTH).any():
        raise _bad(path, f"array 'code_lengths' holds a length outside 1..{MAX_CODE_LENGTH}")
    # every entry, not only those within the code lengths: files written here hold zeros beyond them
    if (codes > 1).any():
        raise _bad(path, "array 'codes' holds a bit other than 0 or 1")
    if (points < 0).any() or (points > n_words - 2).any() or (points[:, 0] != n_words - 2).any():
        raise _bad(path, f"array 'points' holds an inner node outside 0..{n_words - 2} (or a path not from the root)")
    # the paths must make one tree: each (inner node, bit) leads to one child, an
    # inner node or a single word
    depth = np.arange(MAX_CODE_LENGTH)[None, :]
    used = depth < lengths[:, None]
    leaves = -1 - np.arange(n_words, dtype=np.int64)[:, None]
    child = np.where(depth == lengths[:, None] - 1, leaves, np.roll(points, -1, axis=1).astype(np.int64))
    keys = points[used].astype(np.int64) * 2 + codes[used]
    order = np.argsort(keys, kind="stable")
    keys, kids = keys[order], child[used][order]
    same = keys[1:] == keys[:-1]
    if (kids[1:][same] != kids[:-1][same]).any():
        raise _bad(path, "arrays 'codes', 'points' and 'code_lengths' do not describe one tree")
    return codes, points, lengths
