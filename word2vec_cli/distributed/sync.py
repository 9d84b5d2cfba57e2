"""Which rows travel when, and how the workers' changes are combined.

Word ids are sorted by frequency, so the rows every worker changes in nearly every
round (the frequent words, and in hierarchical softmax the Huffman nodes nearest the
root) form one block of each matrix: the *hot* rows. They are exchanged every round.
The others change in few rounds and only on some workers; their changes stay in the
workers' replicas and are exchanged, as sparse deltas, every ``-dask-sync`` rounds
(pWord2Vec's scheme). A worker sends ``local - base`` for the rows that changed since
its last exchange; the client adds to its master copy, for each row, the mean of the
deltas of the workers that changed it (Spark MLlib's fix for averaging rows that
some partitions never touched), and sends the changed rows' new values back.

Everything here is plain numpy on ``(indices, rows)`` pairs, independent of Dask.
"""

import numpy as np

#: The matrices that are synchronised, in a fixed order.
MATRICES = ("syn0", "syn1", "syn1neg")


def hot_row_count(counts, round_words, n_shards):
    """Return how many of the most frequent words are *hot*: expected at least once
    in every worker's slice of one round (``round_words`` tokens), i.e. with
    ``count / total * round_words >= 1``. At least 1, at most the vocabulary."""
    total = max(int(counts.sum()), 1)
    hot = int(np.count_nonzero(counts * float(round_words) / total >= 1.0))
    return max(1, min(hot, len(counts)))


def hot_ranges(n_words, hot, hs, negative):
    """Return ``{matrix: (begin, end)}``: the hot block of each trained matrix.

    syn0 and syn1neg rows are words (the first ``hot``); syn1 rows are Huffman inner
    nodes ``0 .. V-2``, the root last, so its hot block is the last ``hot`` nodes.
    Matrices not trained (``syn1`` without ``-hs``, ``syn1neg`` without
    ``-negative``) are left out.
    """
    ranges = {"syn0": (0, hot)}
    if hs:
        inner = max(n_words - 1, 1)
        ranges["syn1"] = (max(0, inner - hot), inner)
    if negative:
        ranges["syn1neg"] = (0, hot)
    return ranges


def synced_rows(name, n_words):
    """Return how many leading rows of matrix ``name`` are shared (syn1's private
    per-thread rows after the ``V - 1`` inner nodes are not)."""
    return max(n_words - 1, 1) if name == "syn1" else n_words


def changed_rows(local, base, begin, end):
    """Return ``(indices, deltas)`` of the rows in ``[begin, end)`` where ``local``
    differs from ``base`` (indices int32, deltas float32)."""
    delta = local[begin:end] - base[begin:end]
    changed = np.flatnonzero(np.any(delta != 0, axis=1))
    return (changed + begin).astype(np.int32), np.ascontiguousarray(delta[changed])


def worker_deltas(local, base, ranges, n_words, everything):
    """Return ``{matrix: (indices, deltas)}``: the hot rows' changes, and with
    ``everything`` the changes of all shared rows (a full exchange)."""
    out = {}
    for name, (begin, end) in ranges.items():
        if everything:
            begin, end = 0, synced_rows(name, n_words)
        out[name] = changed_rows(local[name], base[name], begin, end)
    return out


def combine(master, deltas_per_worker, mode="sum"):
    """Add the workers' changes to ``master`` (``{matrix: array}``, in place).

    ``deltas_per_worker`` is a list of ``{matrix: (indices, deltas)}`` (each
    worker's indices distinct). With ``mode="sum"`` every worker's change is added
    (as if the workers' threads had shared one matrix, one round late); with
    ``"average"`` each row gets the mean of the deltas of the workers that changed
    it (Spark MLlib's fix). Measured on the planted corpus with 2 workers, ``sum``
    keeps the single-process accuracy and ``average`` loses 40 points: averaging
    divides the learning rate of every shared row by the number of workers.
    Returns ``{matrix: (indices, rows)}``: the changed rows' new values, which every
    worker must adopt.
    """
    update = {}
    for name, matrix in master.items():
        parts = [d[name] for d in deltas_per_worker if name in d and len(d[name][0])]
        if not parts:
            update[name] = (np.zeros(0, np.int32), np.zeros((0, matrix.shape[1]), np.float32))
            continue
        touched = np.bincount(np.concatenate([p[0] for p in parts]), minlength=matrix.shape[0])
        for indices, deltas in parts:
            if mode == "average":
                matrix[indices] += deltas / touched[indices, None].astype(np.float32)
            else:
                matrix[indices] += deltas
        rows = np.flatnonzero(touched).astype(np.int32)
        update[name] = (rows, matrix[rows])
    return update


def adopt(local, base, update):
    """Set the rows of ``update`` (``{matrix: (indices, rows)}``) in a worker's
    ``local`` and ``base`` copies. Returns nothing."""
    for name, (indices, rows) in update.items():
        if len(indices):
            local[name][indices] = rows
            base[name][indices] = rows


def payload_bytes(message):
    """Return the bytes of the arrays in a ``{matrix: (indices, rows)}`` message."""
    return int(sum(indices.nbytes + rows.nbytes for indices, rows in message.values()))
