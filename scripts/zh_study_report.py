"""Tables and plots of scripts/zh_segmentation_study.py (kept apart to stay short)."""

import os

import numpy as np

QSETS = ("CA8-sem", "CA8-morph", "CA-trans")
METRICS = (("all", "accuracy over all questions, %"), ("common", "accuracy, common subset (word-level), %"),
           ("coverage", "coverage of the questions, %"))


def figures(results, corpus, name, seeds, qset):
    """Return dict of arrays over seeds: all (correct/asked), common (correct/seen on
    the common subset), coverage (seen/asked); and the subset size."""
    out = {"all": [], "seen": [], "common": [], "coverage": []}
    size = 0
    for seed in seeds:
        a = results.get(f"{corpus}/{name}/s{seed}/all", {}).get(qset)
        c = results.get(f"{corpus}/{name}/s{seed}/common", {}).get(qset)
        if a is None:
            continue
        out["all"].append(100.0 * a["correct"] / a["asked"] if a["asked"] else np.nan)
        out["coverage"].append(100.0 * a["seen"] / a["asked"] if a["asked"] else np.nan)
        out["seen"].append(100.0 * a["correct"] / a["seen"] if a["seen"] else np.nan)
        if c is not None:
            out["common"].append(100.0 * c["correct"] / c["seen"] if c["seen"] else np.nan)
            size = c["asked"]
    return {k: np.array(v, dtype=float) for k, v in out.items()}, size


def word_level(name):
    """True for the unit sets that define the common subset (see the study script)."""
    return name not in ("char", "bigram", "jieba-full") and not name.startswith("phrases")


def names_of(results, corpus):
    seen = []
    for key in results:
        parts = key.split("/")
        if parts[0] == corpus and len(parts) == 4 and parts[3] == "all" and parts[1] not in seen:
            seen.append(parts[1])
    return seen


def f1_of(results, corpus, name):
    r = results.get(f"{corpus}/{name}/f1")
    if r is None:
        return None, None
    return 100 * r["boundary"]["f1"], 100 * r["word"]["f1"]


def fmt(values):
    values = values[~np.isnan(values)] if len(values) else values
    if not len(values):
        return "–"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{values.mean():.2f} ± {values.std(ddof=1):.2f}"


def table(results, corpus, seeds, f1_corpus, q):
    """Return Markdown rows for every unit set of ``corpus`` on question set ``q``,
    and the size of the common subset."""
    rows = ["| units | boundary F1 | word F1 | cover % | acc all % | acc seen % | acc common % |",
            "|---|---|---|---|---|---|---|"]
    size = 0
    for name in names_of(results, corpus):
        bf, wf = f1_of(results, f1_corpus, name)
        v, size = figures(results, corpus, name, seeds, q)
        cov = v["coverage"]
        cells = [name, "n/a" if bf is None else f"{bf:.2f}", "n/a" if wf is None else f"{wf:.2f}",
                 f"{cov[0]:.1f}" if len(cov) else "–", fmt(v["all"]), fmt(v["seen"]), fmt(v["common"])]
        if not word_level(name) and cells[-1] != "–":
            cells[-1] += " †"
        rows.append("| " + " | ".join(cells) + " |")
    return rows, size


def seed_noise(results, corpus, seeds):
    """Return the mean over unit sets of the seed standard deviation, per question set
    (accuracy over all questions), and the same for the common subset."""
    out = {}
    for q in QSETS:
        sd_all, sd_common = [], []
        for name in names_of(results, corpus):
            v, _ = figures(results, corpus, name, seeds, q)
            if len(v["all"]) > 1:
                sd_all.append(np.nanstd(v["all"], ddof=1))
            if len(v["common"]) > 1:
                sd_common.append(np.nanstd(v["common"], ddof=1))
        out[q] = (float(np.mean(sd_all)) if sd_all else np.nan, float(np.nanmean(sd_common)) if sd_common else np.nan)
    return out


def plot(results, corpus, seeds, f1_corpus, path, title):
    """Plot accuracy (all, common subset) and coverage against boundary F1."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = names_of(results, corpus)
    fig, axes = plt.subplots(3, 3, figsize=(13, 11))
    for col, q in enumerate(QSETS):
        for row, (metric, label) in enumerate(METRICS):
            ax = axes[row, col]
            noise = [n for n in names if n == "gold" or n.startswith("gold-noise")]
            xs, ys, es = [], [], []
            for name in noise:
                v, _ = figures(results, corpus, name, seeds, q)
                xs.append(f1_of(results, f1_corpus, name)[0])
                ys.append(np.nanmean(v[metric]) if len(v[metric]) else np.nan)
                es.append(np.nanstd(v[metric], ddof=1) if len(v[metric]) > 1 else 0)
            if xs:
                ax.errorbar(xs, ys, yerr=es, fmt="o-", color="grey", label="gold, degraded", capsize=3)
            for name in names:
                if name in noise or (metric == "common" and not word_level(name)):
                    continue  # the common subset is only comparable between word-level models
                bf = f1_of(results, f1_corpus, name)[0]
                if bf is None:
                    continue
                v, _ = figures(results, corpus, name, seeds, q)
                y = np.nanmean(v[metric]) if len(v[metric]) else np.nan
                e = np.nanstd(v[metric], ddof=1) if len(v[metric]) > 1 else 0
                ax.errorbar([bf], [y], yerr=[e], fmt="s", capsize=3)
                ax.annotate(name, (bf, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
            ax.set_xlabel("boundary F1 on People's Daily, %")
            ax.set_ylabel(label)
            ax.set_title(f"{q}")
            ax.grid(alpha=0.3)
            if row == 0 and col == 0 and xs:
                ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def write_report(results, args, seeds, inews_seeds, flags, segmenters, rates):
    """Write docs/zh_segmentation.md and its PNG plots."""
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)  # means and deviations of empty cells
    os.makedirs(args.docs, exist_ok=True)
    machine = results.get("machine", {})
    lines = ["# Chinese word vectors and the quality of word segmentation",
             "",
             "Generated by `scripts/zh_segmentation_study.py` (do not edit by hand).",
             "",
             f"Machine: {machine.get('platform')}, {machine.get('cpus')} CPUs (shared), "
             f"Python {machine.get('python')}, {machine.get('date')}.",
             "",
             "Corpora: People's Daily, January 1998, first half (`pku1998-a`, 9,694 lines, 0.93M characters, "
             "hand-segmented gold), and inews (7.1M characters of 2018-19 web news, no gold). Questions: "
             "CA8 semantic (7,636), CA8 morphological (10,177), CA-translated (953).",
             "",
             f"Training (`word2vec -train`): People's Daily `{' '.join(flags['pku'])}`, seeds {seeds}; "
             f"inews `{' '.join(flags['inews'])}`, seeds {inews_seeds}; `-threads {args.threads}`.",
             "",
             "Units: `gold` (hand segmentation); `gold-noise-NN` (gold with NN% x (Han-Han gold boundaries) "
             "errors, half random merges of Han-Han boundaries, half random splits inside words, one draw per rate with "
             "numpy seed 1000 + rate in percent; rates "
             + ", ".join(f"{int(r * 100)}%" for r in rates) + "); the segmenters of `word2vec segment` ("
             + "; ".join(f"`{n}`: `{' '.join(f)}`" for n, f in segmenters.items())
             + "); `bigram` (overlapping Han-character bigrams); `phrases-pP-tT` (char text joined by "
             "`word2vec phrases -passes P -threshold T -min-count 5`, joined characters taken as words).",
             "",
             "Measures: **boundary F1** (`word2vec segment-score`, against the People's Daily gold; for inews "
             "the F1 of the same segmenter on People's Daily); **cover** = % of questions whose four words are "
             "in the vocabulary; **acc all** = correct / all questions (unknown words count as wrong); "
             "**acc seen** = correct / covered questions (what `word2vec accuracy` reports); "
             "**acc common** = accuracy on the questions covered by every word-level model of the corpus "
             "(gold, degraded and segmenter outputs, every seed), which separates vector quality from "
             "vocabulary. Means ± standard deviation over seeds.",
             ""]
    for corpus, corpus_seeds, title in (("pku", seeds, "People's Daily"), ("inews", inews_seeds, "inews")):
        if not names_of(results, corpus):
            continue
        lines += [f"## {title}", ""]
        for q in QSETS:
            rows, size = table(results, corpus, corpus_seeds, "pku", q)
            lines += [f"### {title}, {q} (common subset: {size} questions)", "", *rows, "",
                      "† not a word-level model: accuracy on the part of the common subset it covers.", ""]
        noise = seed_noise(results, corpus, corpus_seeds)
        if len(corpus_seeds) > 1:
            lines += ["Noise between seeds (mean standard deviation over unit sets, accuracy points): "
                      + "; ".join(f"{q} all {a:.2f}, common {c:.2f}" for q, (a, c) in noise.items()) + ".", ""]
        seconds = results.get(f"{corpus}/segment-seconds", {})
        if seconds:
            lines += ["Segmentation time (s, whole corpus, this run, shared machine): "
                      + ", ".join(f"{k} {v}" for k, v in seconds.items()) + ".", ""]
        png = f"zh_{corpus}_f1.png"
        plot(results, corpus, corpus_seeds, "pku", os.path.join(args.docs, png),
             f"{title}: analogy accuracy and coverage against segmentation F1")
        lines += [f"![{title}]({png})", ""]
    with open(os.path.join(args.docs, "zh_segmentation.md"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
