"""Which rows travel when, and how the workers' changes are combined.

Word ids are sorted by frequency, so the rows every worker changes in nearly every
round (the frequent words, and in hierarchical softmax the Huffman nodes nearest the
root) form one block of each matrix: the *hot* rows. They are exchanged every round.
The others change in few rounds and only on some workers; their changes stay in the
workers' replicas and are exchanged, as sparse deltas, every ``-dask-sync`` rounds
(pWord2Vec's scheme). A worker sends ``local - base`` for the rows that changed since
it last sent them; the client adds the workers' changes to its master copy and sends
their sum back, and every worker adds to its replica the part that is not its own.
Because a replica only ever *adds* the others' changes (it never overwrites a row
with the master's value), a worker can keep training while the exchange of an
earlier round is under way.

Everything here works on ``(indices, rows)`` pairs of numpy arrays (the passes over
rows are numba kernels: :mod:`.rows`), independent of Dask.
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
    differs from ``base``: indices int32, deltas ``local - base`` rounded to
    float16 (what travels: half the bytes of float32). The rounded deltas are added
    to ``base`` on those rows: they are sent, and what the rounding left out stays
    in ``local - base`` to go with a later round (error feedback: no change is
    lost, only delayed)."""
    from .rows import take_changed_rows

    indices, halves = take_changed_rows(local, base, begin, end)
    return indices, halves.view(np.float16)


def take_deltas(local, base, ranges, n_words, everything):
    """Return ``{matrix: (indices, deltas)}``: the changes of the hot rows since they
    were last sent (with ``everything``, of all shared rows: a full exchange), and
    mark them sent (``base`` takes ``local``'s values on those rows)."""
    out = {}
    for name, (begin, end) in ranges.items():
        if everything:
            begin, end = 0, synced_rows(name, n_words)
        out[name] = changed_rows(local[name], base[name], begin, end)
    return out


def combine(master, deltas_per_worker, mode="sum"):
    """Combine the workers' changes of one round and add them to ``master``
    (``{matrix: array}``, in place).

    ``deltas_per_worker`` is a list of ``{matrix: (indices, deltas)}`` (each
    worker's indices distinct). With ``mode="sum"`` every worker's change is added
    (as if the workers' threads had shared one matrix); with ``"average"`` each row
    gets the mean of the deltas of the workers that changed it (Spark MLlib's fix).
    Measured on the planted corpus with 2 workers, ``sum`` keeps the single-process
    accuracy and ``average`` loses 40 points: averaging divides the learning rate of
    every shared row by the number of workers.
    Returns ``{matrix: (rows, change)}``: what was added to each changed row
    (rounded to float16, as it travels; the master adds the rounded value), which
    every worker adds to its replica (less its own part: :func:`add_others`).
    """
    from .rows import add_half_rows, to_half

    update = {}
    for name, matrix in master.items():
        parts = [d[name] for d in deltas_per_worker if name in d and len(d[name][0])]
        if not parts:
            update[name] = (np.zeros(0, np.int32), np.zeros((0, matrix.shape[1]), np.float16))
            continue
        rows = np.unique(np.concatenate([indices for indices, _ in parts])).astype(np.int32)
        change = np.zeros((len(rows), matrix.shape[1]), np.float32)
        touched = np.zeros(len(rows), np.float32)
        for indices, deltas in parts:
            where = np.searchsorted(rows, indices)
            add_half_rows(change, where, np.asarray(deltas, np.float16).view(np.uint16))
            touched[where] += 1  # a worker's indices are distinct
        if mode == "average":
            change /= touched[:, None]
        halves = to_half(change)  # what travels: the master adds the same rounded values
        add_half_rows(matrix, rows, halves)
        update[name] = (rows, halves.view(np.float16))
    return update


def add_others(local, base, update, own):
    """Add to a worker's ``local`` and ``base`` copies the change ``update`` (from
    :func:`combine`) less the worker's own part ``own`` (the deltas it sent for that
    round, already in ``local``; None if it sent none). Returns nothing."""
    from .rows import add_change_less_own

    for name, (rows, change) in update.items():
        if not len(rows):
            continue
        indices, deltas = (own or {}).get(name, (np.zeros(0, np.int32), np.zeros((0, change.shape[1]), np.float16)))
        add_change_less_own(local[name], base[name], rows, np.asarray(change, np.float16).view(np.uint16),
                            np.searchsorted(rows, indices), np.asarray(deltas, np.float16).view(np.uint16))


def payload_bytes(message):
    """Return the bytes of the arrays in a ``{matrix: (indices, rows)}`` message."""
    return int(sum(indices.nbytes + rows.nbytes for indices, rows in message.values()))
