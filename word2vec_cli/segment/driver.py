"""Streaming ``word2vec segment``: inputs are read in blocks of whole lines, each
block is segmented (in worker processes with ``threads > 1``, results kept in input
order) and written as it comes back, so memory stays bounded by a few blocks."""

import multiprocessing
import os
import signal
import sys

from ..errors import UsageError
from ..files.inputs import is_stdin, iter_blocks
from ..files.outputs import atomic_output
from .segmenters import make_segmenter

#: Bytes of text per work item (whole lines; a longer line is one item).
BLOCK_BYTES = 1 << 18

_WORKER = None  # the segmenter of a worker process


def line_blocks(paths, block_bytes=None, on_bytes=None):
    """Yield the text of ``paths`` (files, compressed files or ``-``) as str blocks of
    whole lines, each ending with a newline (one is added after a last line without
    it). Invalid UTF-8 becomes U+FFFD. ``block_bytes`` defaults to :data:`BLOCK_BYTES`."""
    block_bytes = block_bytes or BLOCK_BYTES
    for path in paths:
        carry = b""
        for block in iter_blocks(path, block_bytes):
            if on_bytes is not None:
                on_bytes(len(block))
            data = carry + block if carry else block
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data
                continue
            carry = data[cut + 1:]
            yield data[:cut + 1].decode("utf-8", "replace")
        if carry:
            yield (carry + b"\n").decode("utf-8", "replace")


def _init_worker(spec):
    # A forked worker inherits the command's signal handlers: with SIGTERM raising in
    # Python, Pool.terminate() could leave a worker blocked on the task queue's lock
    # forever (or print its traceback). Workers die on SIGTERM and SIGHUP and leave
    # Ctrl-C to the parent, which then terminates the pool.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _WORKER
    if _WORKER is None:  # forked workers inherit the parent's segmenter
        _WORKER = make_segmenter(**spec)


def _work(text):
    return _WORKER.segment(text)


def segment_files(paths, output="-", method="jieba", user_dict=None, direction="both", drop_punct=False,
                  normalise=False, dict_only=False, threads=1, debug=2):
    """Segment ``paths`` into ``output`` (``-`` = standard output).

    Parameters
    ----------
    paths : list of str
        Input files (``-`` is standard input; ``.gz``/``.bz2``/``.xz`` decompressed).
    output : str
        The output file, written to a temporary file and renamed into place.
    method : str
        One of :data:`~word2vec_cli.segment.segmenters.METHODS`.
    user_dict, direction, drop_punct, normalise, dict_only
        See :func:`~word2vec_cli.segment.segmenters.make_segmenter`.
    threads : int
        Worker processes (1 = segment in this process).
    debug : int
        2 shows a progress bar of input bytes on stderr.

    Returns
    -------
    dict
        ``bytes_in``, ``bytes_out`` and ``lines``.
    """
    global _WORKER
    paths = list(paths) or ["-"]
    if threads < 1:
        raise UsageError(f"-threads must be at least 1, got {threads}")
    if sum(is_stdin(p) for p in paths) > 1:
        raise UsageError("standard input (-) can be read only once")
    spec = dict(method=method, user_dict=user_dict, direction=direction, drop_punct=drop_punct,
                normalise=normalise, dict_only=dict_only)
    segmenter = make_segmenter(**spec)
    for path in paths:  # fail before writing anything
        if not is_stdin(path):
            from ..files.inputs import check_readable

            check_readable(path)
    bar = _bar(paths, debug)
    stats = {"bytes_in": 0, "bytes_out": 0, "lines": 0}

    def counted(n):
        stats["bytes_in"] += n
        if bar is not None:
            bar.update(n)

    blocks = line_blocks(paths, on_bytes=counted)
    pool = None
    try:
        if threads > 1:
            _WORKER = segmenter
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            pool = context.Pool(threads, initializer=_init_worker, initargs=(spec,))
            results = pool.imap(_work, blocks, chunksize=1)
        else:
            results = (segmenter.segment(text) for text in blocks)
        if is_stdin(output):
            _write_all(results, sys.stdout.buffer, stats)
            sys.stdout.buffer.flush()
        else:
            with atomic_output(output) as handle:
                _write_all(results, handle, stats)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _WORKER = None
        if bar is not None:
            bar.close()
    return stats


def _write_all(results, handle, stats):
    for data in results:
        handle.write(data)
        stats["bytes_out"] += len(data)
        stats["lines"] += data.count(b"\n")


def _bar(paths, debug):
    """Segmentation's progress (``-debug 2``): a bar on a terminal, plain lines elsewhere."""
    if debug < 2:
        return None
    from ..console import StepProgress

    total = None
    if all(not is_stdin(p) and not p.endswith((".gz", ".bz2", ".xz")) for p in paths):
        try:
            total = sum(os.path.getsize(p) for p in paths)
        except OSError:
            total = None
    return StepProgress("segment", total=total)


__all__ = ["segment_files", "line_blocks", "BLOCK_BYTES"]
