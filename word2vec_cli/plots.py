"""Pictures of training runs and of vectors: ``word2vec plot`` and ``word2vec map``.

:func:`plot_logs` draws the loss and the evaluation curves of one or more training
logs (``-log``) side by side; :func:`word_map` projects chosen words onto the first
two principal components of their vectors (numpy) and joins pairs by arrows, like
the country-and-capital figure of the word2vec papers. matplotlib (the ``plot``
extra) is imported only here, only when a picture is drawn.
"""

import os

import numpy as np

from .errors import UsageError, Word2VecError

#: The one line a missing extra gets.
MISSING_MATPLOTLIB = "plotting needs matplotlib: pip install 'word2vec-cli[plot]'"


def _pyplot():
    """Return matplotlib.pyplot with a file-only backend, or raise the one-line error."""
    try:
        import matplotlib
    except ImportError:
        raise Word2VecError(MISSING_MATPLOTLIB) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def picture_format(output):
    """Return the picture format ``output``'s suffix asks for (``png`` for a name
    without one, such as ``-``). Raises :class:`UsageError` for a suffix matplotlib
    cannot write, or the one-line error when matplotlib is missing."""
    suffix = os.path.splitext(os.path.basename(str(output)))[1][1:].lower()
    if not suffix:
        return "png"
    _pyplot()
    from matplotlib.backend_bases import FigureCanvasBase

    known = FigureCanvasBase.get_supported_filetypes()
    if suffix not in known:
        raise UsageError(f"cannot write a .{suffix} picture ({output}); use one of "
                         + ", ".join(f".{k}" for k in sorted(known)))
    return suffix


def _save(figure, output):
    """Write ``figure`` to ``output`` through a temporary file, in the format of its
    suffix (:func:`picture_format`)."""
    from .files.outputs import atomic_output

    file_format = picture_format(output)  # the file is written through a handle: say the format
    with atomic_output(output, "wb") as handle:
        figure.savefig(handle, format=file_format, dpi=110)


def _curves(records):
    """Return the loss curve (interval records, else epochs) and the per-epoch
    evaluations of one log: ``(loss_x, loss_y, epochs, analogy, spearman)``."""
    intervals = [r for r in records if r["event"] == "interval" and r.get("loss") is not None]
    epochs = [r for r in records if r["event"] == "epoch"]
    source = intervals or [r for r in epochs if r.get("loss") is not None]
    loss_x = [r["epoch"] for r in source]
    loss_y = [r["loss"] for r in source]
    x = [r["epoch"] for r in epochs]
    analogy = [((r.get("analogy") or {}).get("total") or {}).get("accuracy") for r in epochs]
    spearman = [(r.get("pairs") or {}).get("spearman") for r in epochs]
    return loss_x, loss_y, x, analogy, spearman


def plot_logs(paths, output, labels=None):
    """Draw the training loss and the evaluations of the logs at ``paths`` side by
    side and write them to ``output`` (format from its suffix, else PNG). Returns nothing.

    Left: the mean loss per trained word against epochs (interval records, or the
    epoch records when a run had no interval). Middle: analogy accuracy after each
    epoch; right: the Spearman correlation of the word pairs (panels without data are
    left out). Raises :class:`Word2VecError` for an unreadable log.
    """
    from .training.log import read_log

    runs = []
    for path in paths:
        try:
            records = read_log(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise Word2VecError(f"cannot read log {path}: {getattr(exc, 'strerror', None) or exc}") from None
        except ValueError as exc:
            raise Word2VecError(str(exc)) from None
        if not any(r["event"] in ("interval", "epoch") for r in records):
            raise Word2VecError(f"{path}: no progress record (is it a -log of a training run?)")
        runs.append(_curves(records))
    labels = labels or [os.path.splitext(os.path.basename(p))[0] for p in paths]
    panels = [("loss", "mean loss per trained word")]
    if any(any(v is not None for v in run[3]) for run in runs):
        panels.append(("analogy", "analogy accuracy %"))
    if any(any(v is not None for v in run[4]) for run in runs):
        panels.append(("pairs", "word-pair Spearman"))
    plt = _pyplot()
    figure, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.0), squeeze=False)
    for axis, (name, title) in zip(axes[0], panels):
        for label, (loss_x, loss_y, x, analogy, spearman) in zip(labels, runs):
            if name == "loss":
                axis.plot(loss_x, loss_y, label=label)
            else:
                values = analogy if name == "analogy" else spearman
                points = [(a, b) for a, b in zip(x, values) if b is not None]
                if points:
                    axis.plot(*zip(*points), marker="o", label=label)
        axis.set_title(title)
        axis.set_xlabel("epoch")
        axis.grid(alpha=0.3)
        axis.legend(fontsize="small")
    figure.tight_layout()
    _save(figure, output)
    plt.close(figure)


def read_word_list(path):
    """Return the words of a file (whitespace-separated, any number a line)."""
    try:
        with open(path, "rb") as handle:
            return [w.decode("utf-8", "surrogateescape") for w in handle.read().split()]
    except OSError as exc:
        raise Word2VecError(f"cannot read {path}: {exc.strerror or exc}") from None


def section_pairs(path, section):
    """Return the distinct word pairs ``(a, b)`` and ``(c, d)`` of the questions
    ``a b c d`` in section ``section`` of an analogy file, in file order. Raises
    :class:`Word2VecError` when the section is missing."""
    pairs, seen, inside, sections = [], set(), False, []
    try:
        with open(path, "rb") as handle:
            for raw in handle:
                fields = raw.decode("utf-8", "surrogateescape").split()
                if fields and fields[0] == ":":
                    name = " ".join(fields[1:])
                    sections.append(name)
                    inside = name == section
                elif inside and len(fields) == 4:
                    for pair in ((fields[0], fields[1]), (fields[2], fields[3])):
                        if pair not in seen:
                            seen.add(pair)
                            pairs.append(pair)
    except OSError as exc:
        raise Word2VecError(f"cannot read {path}: {exc.strerror or exc}") from None
    if section not in sections:
        shown = ", ".join(sections[:20]) or "none"
        raise Word2VecError(f"no section {section!r} in {path} (sections: {shown})")
    return pairs


def pca_2d(matrix):
    """Return the rows of ``matrix`` projected onto its first two principal
    components (float64, shape (n, 2)); the signs are fixed so that the largest
    coordinate of each component is positive."""
    centred = np.asarray(matrix, dtype=np.float64)
    centred = centred - centred.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:2]
    if components.shape[0] < 2:
        components = np.vstack([components, np.zeros((2 - components.shape[0], centred.shape[1]))])
    for k in range(2):
        if components[k, np.argmax(np.abs(components[k]))] < 0:
            components[k] = -components[k]
    return centred @ components.T


def choose_words(vectors, words=(), pairs=(), max_pairs=None):
    """Return ``(chosen, arrows, missing)``: the vocabulary's spelling of ``words`` and
    of the words of at most ``max_pairs`` (None: all) ``pairs`` whose two words are
    both known, those pairs, and the unknown words met on the way, in order.

    A word is looked up exactly, else ignoring case (question files are capitalised,
    many corpora are not). Pairs with an unknown word are skipped before counting, so
    ``max_pairs`` pairs are drawn whenever the section has that many known ones.
    """
    chosen, missing, lowered = [], [], {}
    for word in vectors.words:
        lowered.setdefault(word.lower(), word)

    def known(word):
        """Return the vocabulary's spelling of ``word`` (exact, else ignoring case) or None."""
        found = word if word in vectors else lowered.get(word.lower())
        if found is None and word not in missing:
            missing.append(word)
        return found

    def choose(word):
        if word not in chosen:
            chosen.append(word)

    for word in words:
        found = known(word)
        if found is not None:
            choose(found)
    arrows = []
    for a, b in pairs:
        if max_pairs is not None and len(arrows) >= max_pairs:
            break
        a, b = known(a), known(b)
        if a is not None and b is not None:
            arrows.append((a, b))
            choose(a)
            choose(b)
    return chosen, arrows, missing


def unknown_words(missing, limit=20):
    """Return the message for words not in the vocabulary: how many, and all of them,
    or the first ``limit`` saying so."""
    n = len(missing)
    head = f"{n} word{'' if n == 1 else 's'} not in the vocabulary"
    if n <= limit:
        return f"{head}: {' '.join(missing)}"
    return f"{head}, the first {limit}: {' '.join(missing[:limit])}"


def word_map(vectors, output, words=(), pairs=(), title=None, normalize=True, max_pairs=None, section=None):
    """Draw a 2-D PCA map of ``words`` and of the words of ``pairs`` (arrows from
    the first word of each pair to the second) and write it to ``output`` (format
    from its suffix, else PNG).

    ``vectors`` is a :class:`~word2vec_cli.vectors.words.WordVectors`; words are
    chosen by :func:`choose_words` (unknown words left out, a pair when either word
    is; at most ``max_pairs`` pairs). With ``normalize`` the unit vectors are
    projected. Without ``title``, a ``section`` name titles the map with the number
    of pairs drawn. Returns ``(shown_words, missing_words, pairs_drawn)``. Raises
    :class:`Word2VecError` when fewer than two words are known.
    """
    chosen, arrows, missing = choose_words(vectors, words, pairs, max_pairs)
    if title is None and section:
        title = f"{section} ({len(arrows)} pairs)"
    if len(chosen) < 2:
        raise Word2VecError(f"need at least two known words to draw a map, found {len(chosen)}"
                            + (f" ({unknown_words(missing, 10)})" if missing else ""))
    matrix = np.stack([vectors[w] for w in chosen]).astype(np.float64)
    if normalize:
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix = matrix / np.where(norms > 0, norms, 1.0)
    points = pca_2d(matrix)
    where = {w: points[k] for k, w in enumerate(chosen)}
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(8, 6.5))
    axis.scatter(points[:, 0], points[:, 1], s=12, color="tab:blue")
    for a, b in arrows:
        (x0, y0), (x1, y1) = where[a], where[b]
        axis.annotate("", xy=(x1, y1), xytext=(x0, y0),
                      arrowprops={"arrowstyle": "->", "color": "0.5", "lw": 0.8})
    for word, (x, y) in where.items():
        axis.annotate(word, (x, y), fontsize=8, xytext=(3, 3), textcoords="offset points")
    axis.set_title(title or "PCA projection of the word vectors")
    axis.set_xticks([])
    axis.set_yticks([])
    figure.tight_layout()
    _save(figure, output)
    plt.close(figure)
    return chosen, missing, arrows
