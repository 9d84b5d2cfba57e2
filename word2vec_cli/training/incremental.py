"""Training a saved model on new text, and starting from pretrained vectors.

:func:`prepare_update` encodes the new text against a saved model's vocabulary
(optionally growing it with the new text's frequent words), and returns what a
:class:`~.run.TrainingRun` needs plus a function that copies the saved matrices
into the new run's state. Old words keep their rows (moved to their new ids when the
merged counts re-sort the vocabulary); new words start as a fresh run's would.

Hierarchical softmax: a grown vocabulary needs new paths, and a rebuilt Huffman
tree gives the old inner-node rows of ``syn1`` other meanings. ``hs_update``:

``graft``
    keep the old tree whole and hang it, together with a Huffman tree of the new
    words, under a new root: every old inner node keeps its row and its meaning,
    old words' paths gain one node (the new root).
``rebuild``
    gensim's way: Huffman codes of the merged counts, old rows kept in place
    (inner node ``k`` of the new tree inherits row ``k`` of the old one).
``reset``
    Huffman codes of the merged counts, ``syn1`` starts from zeros.
"""

import numpy as np

from ..errors import Word2VecError

HS_UPDATES = ("graft", "rebuild", "reset")


def _huffman(counts):
    from ..model.huffman import HuffmanCodes

    codes = HuffmanCodes(counts)
    return codes.codes, codes.points, codes.lengths


def graft_tree(old_tree, old_to_final, new_ids, counts):
    """Return ``(codes, points, lengths)`` of the grafted tree (see the module notes).

    ``old_tree`` holds the old words' paths (old ids), ``old_to_final[i]`` is old
    word ``i``'s id in the final vocabulary, ``new_ids`` the final ids of the added
    words (most frequent first), ``counts`` the final counts.
    """
    from ..model.huffman import MAX_CODE_LENGTH

    old_codes, old_points, old_lengths = old_tree
    n_old, n_new = len(old_to_final), len(new_ids)
    n_final = n_old + n_new
    if n_new == 0:
        codes, points, lengths = (np.zeros_like(a) for a in old_tree)
        codes[old_to_final], points[old_to_final], lengths[old_to_final] = old_codes, old_points, old_lengths
        return codes, points, lengths
    root = n_final - 2
    codes = np.zeros((n_final, MAX_CODE_LENGTH), dtype=np.uint8)
    points = np.zeros((n_final, MAX_CODE_LENGTH), dtype=np.int32)
    lengths = np.zeros(n_final, dtype=np.int32)
    if (old_lengths + 1 > MAX_CODE_LENGTH).any():
        raise Word2VecError(f"grafting would make a Huffman code longer than {MAX_CODE_LENGTH} bits; "
                            "use -hs-update rebuild")
    codes[old_to_final, 1:] = old_codes[:, :-1]
    points[old_to_final, 1:] = old_points[:, :-1]
    lengths[old_to_final] = old_lengths + 1
    new_ids = np.asarray(new_ids)
    codes[new_ids, 0] = 1
    if n_new == 1:
        lengths[new_ids] = 1
    else:
        sub_codes, sub_points, sub_lengths = _huffman(counts[new_ids])
        if (sub_lengths + 1 > MAX_CODE_LENGTH).any():
            raise Word2VecError(f"a grafted Huffman code is longer than {MAX_CODE_LENGTH} bits")
        codes[new_ids, 1:] = sub_codes[:, :-1]
        points[new_ids, 1:] = sub_points[:, :-1] + (n_old - 1)  # the new subtree's rows follow the old ones
        lengths[new_ids] = sub_lengths + 1
    points[:, 0] = root
    return codes, points, lengths


class Update:
    """What training a saved model on new text needs (made by :func:`prepare_update`).

    Attributes: ``vocabulary`` (final), ``tokens`` (the new text, final ids),
    ``epoch_words``, ``tree`` (paths to use or None for the counts' Huffman codes),
    ``new_words`` (how many joined).
    """

    def __init__(self, saved, vocabulary, tokens, old_to_final, tree, hs_update):
        self.saved = saved
        self.vocabulary = vocabulary
        self.tokens = tokens
        self.old_to_final = old_to_final
        self.tree = tree
        self.hs_update = hs_update
        self.epoch_words = tokens.n_tokens
        self.new_words = len(vocabulary) - len(old_to_final)

    def fill(self, state):
        """Copy the saved matrices into a new run's ``state`` (made for the final
        vocabulary): old words' rows to their final ids, the old inner-node rows of
        ``syn1`` unless ``hs_update`` is ``reset``. Returns nothing."""
        old = self.saved.state
        n_old = len(self.old_to_final)
        state.syn0[self.old_to_final] = old.syn0[:n_old]
        if self.saved.options.negative:
            state.syn1neg[self.old_to_final] = old.syn1neg[:n_old]
        if self.saved.options.hs and self.hs_update != "reset":
            state.syn1[:n_old - 1] = old.syn1[:n_old - 1]


def _merge_vocabularies(old, new, min_count):
    """Return ``(final, old_to_final, new_to_final)``: the old words (all kept) and the
    new text's words counted at least ``min_count`` times, with merged counts, sorted
    as the reference sorts (``</s>`` first, then by count, ties in old-then-new order)."""
    from ..text.vocab import Vocabulary

    index = {word: i for i, word in enumerate(old.word_bytes)}
    counts = old.counts.copy()
    words = list(old.word_bytes)
    new_to_merged = np.full(len(new), -1, dtype=np.int64)
    added = []
    for j, (word, count) in enumerate(zip(new.word_bytes, new.counts.tolist())):
        i = index.get(word)
        if i is not None:
            new_to_merged[j] = i
        elif count >= min_count:
            new_to_merged[j] = len(words) + len(added)
            added.append((word, count))
    words += [w for w, _ in added]
    extra = np.array([c for _, c in added], dtype=np.int64)
    counts = np.concatenate((counts, extra))
    for j in np.flatnonzero(new_to_merged >= 0):
        if new_to_merged[j] < len(old):
            counts[new_to_merged[j]] += new.counts[j]
    order = 1 + np.argsort(-counts[1:], kind="stable")
    order = np.concatenate(([0], order))
    merged_to_final = np.empty(len(order), dtype=np.int64)
    merged_to_final[order] = np.arange(len(order))
    final = Vocabulary([words[i] for i in order], counts[order])
    new_to_final = np.where(new_to_merged >= 0, merged_to_final[np.maximum(new_to_merged, 0)], -1)
    return final, merged_to_final[:len(old)], new_to_final


def prepare_update(saved, opts, tmpdir=None, progress=None):
    """Encode ``opts.train`` for training the saved model further; return an :class:`Update`.

    Without ``opts.update_vocab`` the vocabulary, its counts and the tree stay as
    saved and unknown words of the new text are skipped. With it, the new text's
    words reaching ``opts.min_count`` (counted on the new text) join, the counts are
    merged, and the tree follows ``opts.hs_update``.
    """
    from ..text import corpus

    if not opts.update_vocab:
        _, tokens = corpus.encode(opts.train, read_vocab=saved.vocabulary, tmpdir=tmpdir, progress=progress,
                                  threads=opts.threads)
        return Update(saved, saved.vocabulary, tokens, np.arange(len(saved.vocabulary)), saved.tree, "graft")
    new, tokens = corpus.encode(opts.train, min_count=0, tmpdir=tmpdir, progress=progress, threads=opts.threads)
    try:
        final, old_to_final, new_to_final = _merge_vocabularies(saved.vocabulary, new, opts.min_count)
        starts = corpus._remap_in_place(tokens, new_to_final.astype(np.int32), positions=tokens.thread_starts or [])
        tokens.thread_starts = starts or None
        tree = None
        if saved.options.hs and opts.hs_update == "graft":
            old_tree = saved.tree if saved.tree is not None else _huffman(saved.vocabulary.counts)
            # the added words' final ids: those not holding an old word, in id order
            taken = np.zeros(len(final), dtype=bool)
            taken[old_to_final] = True
            new_ids = np.flatnonzero(~taken)
            tree = graft_tree(old_tree, old_to_final, new_ids, final.counts)
        return Update(saved, final, tokens, old_to_final, tree, opts.hs_update)
    except BaseException:
        tokens.close()
        raise


def check_vector_size(path, size):
    """Raise :class:`Word2VecError` unless the vector file ``path`` starts with the
    header ``N size`` of the text and binary formats (checked before any long work).

    A compressed file is read through its decompressor; a stream (a FIFO, standard
    input) can be read only once, so its dimension is checked when it is loaded."""
    from ..files.inputs import is_regular_file, open_input

    if not is_regular_file(path):
        return
    with open_input(path) as handle:
        fields = handle.read(200).split(b"\n", 1)[0].split()
    if len(fields) != 2 or not all(f.isdigit() for f in fields):
        raise Word2VecError(f"-init-vectors {path}: not a word2vec vector file (no 'words dimension' header)")
    if int(fields[1]) != size:
        raise Word2VecError(f"-init-vectors {path} has {int(fields[1])}-dimensional vectors; "
                            f"this model has -size {size}")


def load_initial_vectors(path, vocabulary, size):
    """Read the vector file ``path`` (text or binary); return ``(rows, found)``: for
    each vocabulary word found there, its vector (``rows``, float32) and its id
    (``found``). Raises :class:`Word2VecError` when the dimension is not ``size``."""
    from ..vectors.read import load

    loaded = load(path)
    dim = loaded.vectors.shape[1]
    if dim != size:
        raise Word2VecError(f"-init-vectors {path} has {dim}-dimensional vectors; this model has -size {size}")
    index = {word: i for i, word in enumerate(vocabulary.words)}
    pairs = [(index[word], row) for row, word in enumerate(loaded.words) if word in index]
    found = np.array([i for i, _ in pairs], dtype=np.int64)
    rows = loaded.vectors[np.array([r for _, r in pairs], dtype=np.int64)] if pairs else np.zeros((0, size))
    return rows.astype(np.float32), found
