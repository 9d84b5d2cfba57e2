"""Progress of a long-running step on stderr, by one rule for every command.

On a terminal a step draws a redrawn bar (tqdm); anywhere else (a log file, a pipe,
a batch job) it prints a plain line every :data:`PLAIN_EVERY` seconds, so that a log
holds readable lines instead of carriage-return redraws. Training
(:mod:`.training.progress`), the text pass, word2phrase, segmentation, k-means
classes and Dask rounds all follow this rule.
"""

import sys
import time

#: Seconds between plain progress lines (and between training's ``interval`` records).
PLAIN_EVERY = 5.0


def stream_is_terminal(stream):
    """Return whether ``stream`` (a file object) is a terminal; False when it cannot tell."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed stream
        return False


def _amount(value, unit, rate=False):
    """``value`` of ``unit`` for a person: bytes scaled (kB, MB, GB), counts with the
    unit's plural (``3 rounds``, ``2.5 rounds/s``)."""
    if unit == "B":
        for scale, name in ((1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "kB")):
            if value >= scale:
                return f"{value / scale:,.1f} {name}"
        return f"{value:,.0f} B"
    return f"{value:,.1f} {unit}s" if rate else f"{value:,.0f} {unit}{'' if value == 1 else 's'}"


class StepProgress:
    """Progress of one step measured in ``unit`` (bytes: ``"B"``, or a count such as
    ``"round"``), out of ``total`` when it is known.

    Use :meth:`update` as work is done, :meth:`describe` to rename the step and
    :meth:`close` at the end (also as a context manager). Nothing is shown when
    ``show`` is false.
    """

    def __init__(self, desc, total=None, unit="B", show=True, stream=None, terminal=None):
        self.desc = desc
        self.total = total
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.show = show
        self.n = 0
        self.bar = None
        self.start = self.last_line = time.perf_counter()
        if terminal is None:
            terminal = stream_is_terminal(self.stream)
        if show and terminal:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=unit, unit_scale=unit == "B", desc=desc, file=self.stream,
                            mininterval=0.5, leave=False)

    def update(self, n=1):
        """Count ``n`` more units done; on a terminal redraw the bar, elsewhere print a
        plain line when :data:`PLAIN_EVERY` seconds have passed since the last one."""
        self.n += n
        if self.bar is not None:
            self.bar.update(n)
            return
        if not self.show:
            return
        now = time.perf_counter()
        if now - self.last_line >= PLAIN_EVERY:
            self.last_line = now
            self.line(now)

    def line(self, now=None):
        """Print the plain progress line now (what has been done, the share of the
        total, the rate)."""
        now = time.perf_counter() if now is None else now
        if self.total and self.unit != "B":
            done = f"{self.n:,} of {_amount(self.total, self.unit)} ({100.0 * self.n / self.total:.1f}%)"
        elif self.total:
            done = f"{_amount(self.n, 'B')} of {_amount(self.total, 'B')} ({100.0 * self.n / self.total:.1f}%)"
        else:
            done = _amount(self.n, self.unit)
        elapsed = max(now - self.start, 1e-9)
        rate = f"{_amount(self.n / elapsed, self.unit, rate=True)}/s"
        print(f"{self.desc}: {done}, {rate}", file=self.stream, flush=True)

    def describe(self, desc):
        """Rename the step (e.g. from counting to writing)."""
        self.desc = desc
        if self.bar is not None:
            self.bar.set_description(desc)

    def close(self):
        """Remove the bar (plain lines stay as printed)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


__all__ = ["PLAIN_EVERY", "StepProgress", "stream_is_terminal"]
