"""Splitting the work between threads, and letting go of the token pages they
have passed."""

import numpy as np

from ..kernels.thread import HOT_NODES
from ..kernels.work import SHARE_BLOCKS, SHARE_SAMPLE, balanced_shares, sample_work


def hot_nodes_per_thread(opts, n_words):
    """How many Huffman nodes each thread trains in private rows (0: none).

    Every hierarchical-softmax path starts at the root, so with several threads the
    rows of the nodes nearest the root are written by all of them at once, and the
    cores spend their time handing those cache lines to each other (2 threads ran
    1.3x (skip-gram) and 1.6x (CBOW) the speed of one; with private copies merged
    every 64 centre words, 1.9x, for about 0.3 points of skip-gram/hs accuracy on
    the development corpus, see the README). One thread needs none; structured
    skip-gram (``-type 3``) has none either: its paths are spread over one block of
    nodes per window position, so the threads meet there less often.
    """

    if getattr(opts, "type", None) == 3:
        return 0
    return min(HOT_NODES, n_words - 1) if opts.hs and opts.threads > 1 else 0


def thread_shares(opts, tokens, token_array, keep, counts, code_lengths):
    """Return each thread's ``(begin, end)`` range of tokens.

    The reference gives each thread an equal part of the file; ours splits where the
    estimated training work is equal (:func:`balanced_shares`), so that the
    threads finish together instead of one working alone at the end. The samples
    are read with ``tokens.read`` when the token file has it, not through the memory
    map: faulting in a few pages at a thousand places would map about 64 KB around
    each (the kernel's fault-around) and briefly add most of a large file to the
    resident memory. With ``-read-vocab`` an epoch ends after ``train_words /
    threads`` words per thread, as in the reference, so the parts stay equal there;
    with ``-quality split`` they are equal too (the boundary decides which text is
    trained early in each epoch, at a high learning rate; see the README).
    """
    n_tokens = len(token_array)
    # -quality split: equal parts, as the reference and gensim split the file
    if opts.threads == 1 or opts.read_vocab or n_tokens == 0 or "split" in opts.quality_changes():
        return [(k * n_tokens // opts.threads, (k + 1) * n_tokens // opts.threads) for k in range(opts.threads)]
    outputs = opts.negative + 1.0
    if opts.hs:  # the mean Huffman path length over the training words
        outputs += float(np.dot(counts, code_lengths[:len(counts)]) / max(counts.sum(), 1))
    read = getattr(tokens, "read", None)
    n_blocks = min(SHARE_BLOCKS, max(1, n_tokens // 64))
    work = np.zeros(n_blocks + 1)
    for b in range(n_blocks):
        begin, end = b * n_tokens // n_blocks, (b + 1) * n_tokens // n_blocks
        stop = min(end, begin + SHARE_SAMPLE)
        sample = read(begin, stop) if read is not None else np.asarray(token_array[begin:stop])
        estimate = sample_work(sample, keep, opts.window, bool(opts.cbow), outputs)
        work[b + 1] = work[b] + estimate * (end - begin) / max(stop - begin, 1)
    offsets = balanced_shares(work, n_tokens, opts.threads)
    return [(int(offsets[k]), int(offsets[k + 1])) for k in range(opts.threads)]


class TokenRelease:
    """Lets go of the token pages each thread has passed in the current epoch, so
    that resident memory stays bounded on a large corpus (they come back from the
    page cache in the next epoch). Called from the driver's progress loop."""

    #: Release in steps of this many tokens (1 MB), not page by page.
    STEP = 1 << 18

    def __init__(self, tokens, shares, cursors):
        self.release = getattr(tokens, "release", None)
        self.shares = shares
        self.cursors = cursors
        self.done = [begin for begin, _ in shares]

    def __call__(self):
        if self.release is None:
            return
        for k, (begin, _) in enumerate(self.shares):
            cursor = int(self.cursors[k])
            if cursor < self.done[k]:  # a new epoch started over
                self.done[k] = begin
            if cursor - self.done[k] >= self.STEP:
                self.release(self.done[k], cursor)
                self.done[k] = cursor
