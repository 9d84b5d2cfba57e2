"""Watching a training run: the progress bar or plain progress lines on stderr, the
JSON-lines log, and the per-epoch evaluations on stderr.

:class:`Progress` turns the counters the threads publish (words, learning rates, the
float64 loss and the words it covers) into figures over an interval: the mean loss
per trained word, words/s, an ETA. :class:`Reporter` shows them: on a terminal a
redrawn bar (``-debug 2``), elsewhere (a batch job, a log file) a plain line every
:data:`PLAIN_EVERY` seconds; with ``-log`` it writes a record per interval and per
epoch (:mod:`.log`).
"""

import resource
import sys
import time

from ..console import PLAIN_EVERY, stream_is_terminal
#: The bar's speed is taken over at least this many seconds.
BAR_RATE_SECONDS = 0.2


def peak_memory_mb():
    """Return the peak resident memory of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024.0  # bytes there, KB on Linux


def format_seconds(seconds):
    """Return ``seconds`` as ``H:MM:SS`` (or ``M:SS``)."""
    seconds = int(max(seconds, 0) + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """Figures of a running :class:`~.run.TrainingRun` over intervals of its progress.

    A *mark* is ``(time, words, loss, loss_words)``; :meth:`since` gives the figures
    between a mark and now.
    """

    def __init__(self, run):
        self.run = run
        self.start = time.perf_counter()
        self.tracked = bool(run.track_loss)

    def mark(self):
        """Return the current mark."""
        state = self.run.state
        return time.perf_counter(), state.words_done, state.loss, state.loss_words

    def since(self, mark):
        """Return ``(figures, now)``: a dict with ``epoch`` (epochs done, fractional),
        ``words``, ``alpha``, ``loss`` (mean per trained word since ``mark``, None
        when not tracked or no word was trained), ``words_per_second`` (all
        threads), ``seconds`` (since training started), ``peak_memory_mb``; and the
        new mark."""
        now = self.mark()
        run = self.run
        elapsed = now[0] - mark[0]
        trained = now[3] - mark[3]
        loss = (now[2] - mark[2]) / trained if self.tracked and trained > 0 else None
        figures = {
            "epoch": round(now[1] / max(run.train_words, 1), 4),
            "words": now[1],
            "alpha": float(run.state.alphas.min()),
            "loss": loss,
            "words_per_second": (now[1] - mark[1]) / elapsed if elapsed > 0 else 0.0,
            "seconds": round(now[0] - self.start, 3),
            "peak_memory_mb": round(peak_memory_mb(), 1),
        }
        return figures, now

    def epoch(self, epoch):
        """Return the figures of ``epoch`` (counting from 1) as :meth:`since` names
        them, from the threads' own ends of that epoch: ``words`` is the epoch's
        words, ``loss`` its mean per trained word, ``words_per_second`` the threads'
        speed over their time in it, ``seconds`` when its last thread finished it."""
        ends = self.run.epoch_figures(epoch)
        end = ends["end"] if ends["end"] is not None else time.perf_counter()
        return {
            "epoch": epoch,
            "words": ends["words"],
            "alpha": ends["alpha"],
            "loss": ends["loss"] / ends["loss_words"] if self.tracked and ends["loss_words"] > 0 else None,
            "words_per_second": ends["words_per_second"],
            "seconds": round(end - self.start, 3),
            "peak_memory_mb": round(peak_memory_mb(), 1),
        }

    def eta(self, now):
        """Return the estimated seconds left, from the mean speed so far (None at first)."""
        elapsed = now[0] - self.start
        done = now[1]
        if done <= 0 or elapsed <= 0:
            return None
        return (self.run.total_words - done) * elapsed / done


def _loss_text(loss):
    return f"loss {loss:.4f}" if loss is not None else ""


def describe_evaluations(evaluations):
    """Return a short text of the evaluations (see :mod:`word2vec_cli.monitor`)."""
    parts = []
    analogy = evaluations.get("analogy")
    if analogy:
        total = analogy["total"]
        shown = "n/a" if total["accuracy"] is None else f"{total['accuracy']:.2f}%"
        parts.append(f"analogy {shown} ({total['total']} of {analogy['questions_total']} questions)")
    pairs = evaluations.get("pairs")
    if pairs:
        rho = "n/a" if pairs["spearman"] is None else f"{pairs['spearman']:.4f}"
        parts.append(f"pairs spearman {rho} ({pairs['pairs_used']} pairs)")
    return ", ".join(parts)


class Reporter:
    """Shows and logs the progress of one training run.

    Parameters
    ----------
    run : TrainingRun
        The run watched.
    show : bool
        Show progress on stderr (``-debug 2``): a bar on a terminal, plain lines
        every :data:`PLAIN_EVERY` seconds otherwise.
    log : TrainingLog, optional
        Where the interval, epoch and end records go.
    stream : file, optional
        Where progress goes (default ``sys.stderr``).
    terminal : bool, optional
        Whether ``stream`` is a terminal (default: ask it).
    """

    def __init__(self, run, show=True, log=None, stream=None, terminal=None):
        self.run = run
        self.log = log
        self.stream = stream if stream is not None else sys.stderr
        if terminal is None:
            terminal = stream_is_terminal(self.stream)
        self.progress = Progress(run)
        self.interval_mark = self.bar_mark = self.progress.mark()
        self.last_line = self.progress.start
        self.bar = None
        self.final = {}
        self.plain = show and not terminal
        if show and terminal:
            from tqdm import tqdm

            self.bar = tqdm(total=run.total_words, initial=self.interval_mark[1], unit="word", unit_scale=True,
                            desc="Training", file=self.stream, mininterval=0.25, smoothing=0.1, leave=False)
        if log is not None:
            opts = run.opts
            log.write("start", threads=opts.threads, epochs=opts.iter, train_words=run.train_words,
                      vocabulary=len(run.vocabulary), loss_tracked=self.progress.tracked,
                      mode=("cbow" if opts.cbow else "skip-gram") + ("-hs" if opts.hs else "")
                      + (f"-ns{opts.negative}" if opts.negative else ""), quality=str(opts.quality))

    def _say(self, text):
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def tick(self, run=None):
        """Update the bar; every :data:`PLAIN_EVERY` seconds print a plain line and
        log an interval. Called from the training's watch loop. Returns nothing."""
        now = time.perf_counter()
        threads = self.run.opts.threads
        # a speed over a moment (just after an evaluation reset the mark) would read 0
        if self.bar is not None and now - self.bar_mark[0] >= BAR_RATE_SECONDS:
            figures, self.bar_mark = self.progress.since(self.bar_mark)
            postfix = [f"{figures['words_per_second'] / threads / 1000:,.0f}k words/s/thread",
                       f"alpha {figures['alpha']:.6f}", _loss_text(figures["loss"])]
            self.bar.set_postfix_str(", ".join(p for p in postfix if p), refresh=False)
            self.bar.update(figures["words"] - self.bar.n)
        if now - self.last_line < PLAIN_EVERY:
            return
        self.last_line = now
        figures, mark = self.progress.since(self.interval_mark)
        self.interval_mark = mark
        if self.log is not None:
            self.log.write("interval", **figures)
        if self.plain:
            eta = self.progress.eta(mark)
            line = (f"Training: {100.0 * figures['words'] / max(self.run.total_words, 1):5.1f}%  "
                    f"epoch {figures['epoch']:.2f}/{self.run.opts.iter}  "
                    f"{figures['words_per_second'] / threads:,.0f} words/s/thread  alpha {figures['alpha']:.6f}"
                    + (f"  {_loss_text(figures['loss'])}" if figures["loss"] is not None else "")
                    + (f"  ETA {format_seconds(eta)}" if eta is not None else ""))
            self._say(line)

    def epoch(self, evaluate=None):
        """Record a completed epoch: its figures, taken by each thread at its own end
        of the epoch (:meth:`~.run.TrainingRun.epoch_figures`: the epoch's words,
        mean loss and speed, however short the epoch was against the watch loop's
        polls), then the evaluations ``evaluate()`` returns (a dict, shown on
        stderr). Returns the record written."""
        figures = self.progress.epoch(self.run.state.epoch)
        evaluations = evaluate() if evaluate is not None else {}
        figures.update(evaluations)
        if self.log is not None:
            self.log.write("epoch", **figures)
        if evaluations or self.plain:
            text = (f"Epoch {figures['epoch']}/{self.run.opts.iter}: "
                    f"{figures['words_per_second'] / self.run.opts.threads:,.0f} words/s/thread"
                    + (f", {_loss_text(figures['loss'])}" if figures["loss"] is not None else ""))
            described = describe_evaluations(evaluations)
            self._say(text + (f", {described}" if described else ""))
        if evaluate is not None:
            # the threads waited for the evaluation: its time is no part of the next interval's speed
            self.interval_mark = self.bar_mark = self.progress.mark()
            self.last_line = time.perf_counter()
        self.final = figures
        return figures

    def end(self):
        """Write the ``end`` record (totals over the whole run, the last evaluations)
        and close the bar. Returns nothing."""
        self.close()
        if self.log is not None:
            state = self.run.state
            figures, _ = self.progress.since((self.progress.start, 0, 0.0, 0))
            figures["loss"] = state.loss / state.loss_words if self.progress.tracked and state.loss_words else None
            figures["epoch"] = state.epoch
            for key in ("analogy", "pairs"):
                if key in self.final:
                    figures[key] = self.final[key]
            self.log.write("end", **figures)

    def close(self):
        """Close the bar (if any). Returns nothing."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
