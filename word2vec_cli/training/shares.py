"""Where each thread reads, and letting go of the token pages they have passed."""

from ..kernels.thread import HOT_NODES


def hot_nodes_per_thread(opts, n_words):
    """How many Huffman nodes each thread trains in private rows (0: none).

    Every hierarchical-softmax path starts at the root, so with several threads the
    rows of the nodes nearest the root are written by all of them at once, and the
    cores spend their time handing those cache lines to each other (2 threads ran
    1.3x (skip-gram) and 1.6x (CBOW) the speed of one; with private copies merged
    every 64 centre words, 1.9x, at no measurable cost in accuracy: README,
    Threads). One thread needs none; structured
    skip-gram (``-type 3``) has none either: its paths are spread over one block of
    nodes per window position, so the threads meet there less often.
    """

    if getattr(opts, "type", None) == 3:
        return 0
    return min(HOT_NODES, n_words - 1) if opts.hs and opts.threads > 1 else 0


def thread_shares(n_tokens, threads, starts=None):
    """Return each thread's ``(begin, end)`` range of ``n_tokens`` tokens, as the
    reference's threads read the file: thread ``k`` starts where ``k / threads`` of the
    file's bytes begin (``starts``, from :func:`~word2vec_cli.text.corpus.encode`;
    without them, at ``k / threads`` of the tokens) and may read to the end; its epoch
    ends there or, sooner, after ``train_words / threads`` words (the kernel's
    ``word_limit``). So a part may overlap the next thread's start or fall short of
    it, as in the reference, where the parts' token counts differ from their bytes.

    This matters more than it seems: with 2 threads on the development corpus,
    starting the second thread at half the tokens instead of half the bytes (49.0% of
    the tokens) cost skip-gram/negative 0.35 analogy points against the reference,
    and parts of equal estimated work cost skip-gram/hs 0.7 (README, Threads).
    """
    if starts is None or len(starts) != threads - 1:
        starts = [k * n_tokens // threads for k in range(1, threads)]
    return [(int(begin), n_tokens) for begin in [0, *starts]]


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
