"""The training log (``-log FILE``): one JSON object a line, so that a run can be
plotted (``word2vec plot``) or compared with another afterwards.

Every record has ``event`` (``"start"``, ``"interval"``, ``"epoch"`` or ``"end"``)
and, but for ``start``, the figures of :meth:`Progress.since
<word2vec_cli.training.progress.Progress.since>` (epoch records: of
:meth:`Progress.epoch <word2vec_cli.training.progress.Progress.epoch>`, taken at each
thread's end of the epoch): ``epoch`` (fractional: epochs done so far), ``words``
(words processed; in epoch records, that epoch's), ``alpha``, ``loss`` (mean loss per trained
word over the interval or the epoch; ``null`` when the loss is not tracked),
``words_per_second`` (over the interval or epoch, all threads), ``seconds`` (since
training started) and ``peak_memory_mb``. Epoch and end records also carry the
evaluations (``analogy``, ``pairs``) when ``-eval`` / ``-eval-pairs`` are given.

The log is written as the run goes (line-buffered), not through a temporary file:
it is meant to be followed with ``tail -f`` and stays valid JSON lines if the run is
interrupted.
"""

import json
import math
import os


def _clean(value):
    """Return ``value`` with NaN and infinities replaced by None (JSON has neither)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item) for item in value]
    return value


class TrainingLog:
    """A JSON-lines log file; :meth:`write` appends one record.

    Parameters
    ----------
    path : str
        The file (created or truncated); ``-``, ``/dev/stdout``, ``/dev/fd/N``: that
        descriptor, written where it stands.
    """

    def __init__(self, path):
        from ..files.outputs import descriptor_of

        self.path = path
        fd = descriptor_of(path)  # "-" is standard output, as for -output; never a file named "-"
        if fd is not None:
            self.handle = os.fdopen(os.dup(fd), "w", encoding="utf-8", buffering=1)
        else:
            self.handle = open(path, "w", encoding="utf-8", buffering=1)

    def write(self, event, **fields):
        """Append the record ``{"event": event, **fields}``. Returns nothing."""
        record = {"event": event, **_clean(fields)}
        self.handle.write(json.dumps(record, separators=(",", ":")) + "\n")

    def close(self):
        """Close the file. Returns nothing."""
        self.handle.close()


def read_log(path):
    """Read a training log; return its records (a list of dicts), skipping blank
    lines. Raises ValueError naming the line that is not JSON."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise ValueError(f"{path}, line {number}: not a JSON object") from None
            if not isinstance(record, dict) or "event" not in record:
                raise ValueError(f"{path}, line {number}: not a training-log record")
            records.append(record)
    return records
