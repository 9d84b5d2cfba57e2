"""The ``word2vec`` training command, with the reference's single-dash flags."""

import click

from ..files.outputs import check_distinct
from ..model.options import TrainOptions
from .flags import REFERENCE_CONTEXT, reference_flag, version_option

_DEFAULTS = TrainOptions()

#: The flags whose files a training run reads, and those it writes.
_READS = ("train", "read_vocab", "init_model", "resume", "init_vectors", "eval", "eval_pairs")
_WRITES = ("output", "save_vocab", "save_model", "checkpoint", "log")
#: Flags that may name one file: a resumed run goes on checkpointing (and may save
#: its model) where it was read from, a model trained further may replace itself
#: (each is read whole before the output is renamed into place).
_MAY_SHARE = (("-checkpoint", "-resume"), ("-save-model", "-resume"), ("-save-model", "-init-model"))

USAGE_EPILOG = """\
\b
Subcommands (also installed under the reference's names):
  word2vec distance FILE           nearest words      (distance)
  word2vec analogy FILE            a : b :: c : ?     (word-analogy)
  word2vec accuracy FILE [N]       analogy test set   (compute-accuracy)
  word2vec phrases -train ...      join frequent bigrams (word2phrase)
  word2vec similarity FILE PAIRS   correlation with human similarity scores
  word2vec convert IN OUT          text / binary / numpy vector files
  word2vec segment [FILES]         split Chinese text into words (word2vec-segment)
  word2vec segment-score GOLD TEST precision, recall, F1 of a segmentation
  word2vec plot LOG... -output PNG loss and evaluation curves of -log files
  word2vec map VECTORS WORDS... -output PNG   2-D PCA map of words (or -questions F -section S)

\b
Example:
  word2vec -train data.txt -output vec.bin -cbow 1 -size 200 -window 8 -negative 25
           -hs 0 -sample 1e-4 -threads 2 -binary 1 -iter 15
"""


@click.command(context_settings=REFERENCE_CONTEXT, epilog=USAGE_EPILOG)
@version_option()
@reference_flag("train", str, "Train on the text in FILE (- = stdin; "
                ".gz/.bz2/.xz are decompressed).", metavar="FILE")
@reference_flag("output", str, "Write the word vectors (or classes) to FILE (- = stdout); without it only "
                "the vocabulary is built.", metavar="FILE")
@reference_flag("size", int, "Dimension of the word vectors.", _DEFAULTS.size)
@reference_flag("window", int, "Maximum skip length between words.", _DEFAULTS.window)
@reference_flag("sample", float, "Down-sampling threshold for frequent words; 0 = off.", _DEFAULTS.sample)
@reference_flag("hs", int, "Use hierarchical softmax (1) or not (0).", _DEFAULTS.hs)
@reference_flag("negative", int, "Number of negative samples; 0 = off.", _DEFAULTS.negative)
@reference_flag("threads", int, "Worker threads [default: usable cores, at most 12].")
@reference_flag("iter", int, "Training epochs.", _DEFAULTS.iter)
@reference_flag("min-count", int, "Discard words that occur fewer times.", _DEFAULTS.min_count)
@reference_flag("alpha", float, "Starting learning rate [default: 0.05 CBOW, 0.025 skip-gram].")
@reference_flag("classes", int, "Write K k-means word classes instead of vectors (0 = vectors).", _DEFAULTS.classes)
@reference_flag("debug", int, "0 quiet, 1 sizes and summary, 2 progress bars.", _DEFAULTS.debug)
@reference_flag("binary", int, "Write vectors in binary (1) or text (0).", _DEFAULTS.binary)
@reference_flag("save-vocab", str, "Save the vocabulary ('word count' lines) to FILE.",
                metavar="FILE")
@reference_flag("read-vocab", str, "Read the vocabulary from FILE instead of counting.",
                metavar="FILE")
@reference_flag("cbow", int, "CBOW (1) or skip-gram (0).", _DEFAULTS.cbow)
@reference_flag("seed", int, "[ours] Base of the random generators; 0 reproduces the reference.", _DEFAULTS.seed)
@reference_flag("batch", int, "[ours] Batched skip-gram with negative sampling (-cbow 0 only).", _DEFAULTS.batch)
@reference_flag("tmpdir", str, "[ours] Folder for the token file, 4 bytes per word of the text "
                "[default: $TMPDIR, else the system's].", metavar="DIR")
@reference_flag("save-model", str, "[ours] Also write the whole model (state, vocabulary, options) to FILE, "
                "to resume or train further.", metavar="FILE")
@reference_flag("checkpoint", str, "[ours] Write the model to FILE while training (atomically), and on "
                "Ctrl-C/SIGTERM before exiting.", metavar="FILE")
@reference_flag("checkpoint-every", str, "[ours] Checkpoint every N epochs, or every N minutes with 'Nm'.",
                _DEFAULTS.checkpoint_every)
@reference_flag("resume", str, "[ours] Continue the run saved in FILE to the end of its schedule.",
                metavar="FILE")
@reference_flag("init-model", str, "[ours] Train the model saved in FILE further on the -train text.",
                metavar="FILE")
@reference_flag("update-vocab", int, "[ours] With -init-model: new words reaching -min-count join (1).",
                _DEFAULTS.update_vocab)
@reference_flag("alpha-schedule", click.Choice(["restart", "continue"]), "[ours] With -init-model: the "
                "learning rate restarts at -alpha, or continues from where the model's run ended.",
                _DEFAULTS.alpha_schedule)
@reference_flag("hs-update", click.Choice(["graft", "rebuild", "reset"]), "[ours] With -update-vocab 1 and "
                "-hs 1: keep the old tree under a new root (graft), rebuild the Huffman tree keeping the old "
                "rows (rebuild), or rebuild with zero rows (reset).", _DEFAULTS.hs_update)
@reference_flag("init-vectors", str, "[ours] Start the words found in this text or binary vector file "
                "from their vectors there.", metavar="FILE")
@reference_flag("type", int, "[wang2vec] Architecture: 0 CBOW, 1 skip-gram, 2 cwindow, 3 structured "
                "skip-gram [default: from -cbow]; overrides -cbow.")
@reference_flag("cap", float, "[ours] Clamp the weights each step touches to [-VALUE, VALUE]; 0 = off "
                "(wang2vec's -cap 1 is -cap 50).", _DEFAULTS.cap, metavar="VALUE")
@reference_flag("l2", float, "[ours] Weight of the L2 penalty on the rows each step touches; 0 = off.",
                _DEFAULTS.l2, metavar="LAMBDA")
@reference_flag("l2-rows", click.Choice(("both", "input", "output")), "[ours] Rows -l2 penalises.",
                _DEFAULTS.l2_rows)
@reference_flag("quality", str, "[ours] gensim's rules where they give better vectors: 0 off (the "
                "reference), 1 on, or a list of nos,clip,floor,sentence,share,init,sample "
                "(see README).", _DEFAULTS.quality,
                metavar="SPEC")
@reference_flag("loss", int, "[ours] Track the training loss: 1 on, 0 off [default: on with -log, "
                "-eval or -eval-pairs].")
@reference_flag("log", str, "[ours] Write JSON-lines progress (loss, alpha, speed, memory, "
                "evaluations) to FILE.", metavar="FILE")
@reference_flag("eval", str, "[ours] Evaluate an analogy question FILE after each epoch.", metavar="FILE")
@reference_flag("eval-pairs", str, "[ours] Evaluate a word-pair similarity FILE after each epoch.",
                metavar="FILE")
@reference_flag("dask", str, "[ours] Train on the Dask cluster at ADDRESS (host:port), or on N local "
                "worker processes (local:N); needs the dask extra.", metavar="ADDRESS")
@reference_flag("dask-round", int, "[ours] Tokens each Dask worker trains per round.", _DEFAULTS.dask_round)
@reference_flag("dask-sync", int, "[ours] Exchange the rare words' rows every N rounds (the frequent "
                "ones every round).", _DEFAULTS.dask_sync)
@reference_flag("dask-overlap", int, "[ours] 1: train the next round while the previous round's changes "
                "are exchanged (faster, one round staler); 0: wait for each exchange.", _DEFAULTS.dask_overlap)
@reference_flag("dask-timeout", float, "[ours] Seconds to wait for the Dask scheduler to answer and for "
                "its first worker.", _DEFAULTS.dask_timeout)
def train_command(**flags):
    """WORD VECTOR estimation toolkit: train word vectors like the reference word2vec.

    Reads the text once, trains CBOW or skip-gram with hierarchical softmax and/or
    negative sampling on several threads, and writes the reference's text or binary
    vector format.
    """
    from ..monitor import make_evaluator
    from ..jobs import run_training

    check_distinct(inputs=[(f"-{name.replace('_', '-')}", flags[name]) for name in _READS],
                   outputs=[(f"-{name.replace('_', '-')}", flags[name]) for name in _WRITES],
                   allowed=_MAY_SHARE)
    if flags["train"] and not (flags["output"] or flags["save_vocab"] or flags["save_model"] or flags["checkpoint"]):
        click.echo("word2vec: warning: neither -output nor -save-vocab is given: the text is read "
                   "but nothing is written", err=True)
    options = TrainOptions(**flags)
    evaluate = make_evaluator(options.eval, options.eval_pairs) if options.train else None
    # a checkpoint ends as the finished model: -checkpoint alone is a run to train
    result = run_training(options, vectors_wanted=bool(flags["resume"] or flags["checkpoint"]),
                          release_jit_pages=True, evaluate=evaluate)
    _warn_not_utf8(getattr(result, "vocabulary", None))
    return 0


def _warn_not_utf8(vocabulary):
    """Say in one line how many vocabulary words are not UTF-8 (a Latin-1 text): the
    vectors keep their bytes, as the reference's do, but UTF-8 readers (gensim) fail."""
    from ..text.utf8 import count_not_utf8

    if vocabulary is None:
        return
    bad = count_not_utf8(vocabulary.word_bytes)
    if bad:
        click.echo(f"{click.get_current_context().info_name}: warning: {bad:,} of {len(vocabulary):,} "
                   "vocabulary words are not valid UTF-8 (kept as bytes, as the reference does; UTF-8 "
                   "readers such as gensim will fail: convert the text, e.g. iconv -f latin1 -t utf-8)",
                   err=True)
