"""The ``word2vec`` training command, with the reference's single-dash flags."""

import click

from ..model.options import TrainOptions
from .flags import REFERENCE_CONTEXT, reference_flag, version_option

_DEFAULTS = TrainOptions()

USAGE_EPILOG = """\
\b
Subcommands (also installed under the reference's names):
  word2vec distance FILE           nearest words      (distance)
  word2vec analogy FILE            a : b :: c : ?     (word-analogy)
  word2vec accuracy FILE [N]       analogy test set   (compute-accuracy)
  word2vec phrases -train ...      join frequent bigrams (word2phrase)
  word2vec similarity FILE PAIRS   correlation with human similarity scores
  word2vec convert IN OUT          text / binary / numpy vector files

\b
Example:
  word2vec -train data.txt -output vec.bin -cbow 1 -size 200 -window 8 -negative 25
           -hs 0 -sample 1e-4 -threads 2 -binary 1 -iter 15
"""


@click.command(context_settings=REFERENCE_CONTEXT, epilog=USAGE_EPILOG)
@version_option()
@reference_flag("train", str, "Train on the text in FILE (- = stdin; "
                ".gz/.bz2/.xz are decompressed).", metavar="FILE")
@reference_flag("output", str, "Write the word vectors (or classes) to FILE; without it only "
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
@reference_flag("dask", str, "[ours] Train on the Dask cluster at ADDRESS (host:port), or on N local "
                "worker processes (local:N); needs the dask extra.", metavar="ADDRESS")
@reference_flag("dask-round", int, "[ours] Tokens each Dask worker trains per round.", _DEFAULTS.dask_round)
@reference_flag("dask-sync", int, "[ours] Exchange the rare words' rows every N rounds (the frequent "
                "ones every round).", _DEFAULTS.dask_sync)
def train_command(**flags):
    """WORD VECTOR estimation toolkit: train word vectors like the reference word2vec.

    Reads the text once, trains CBOW or skip-gram with hierarchical softmax and/or
    negative sampling on several threads, and writes the reference's text or binary
    vector format.
    """
    from ..training.driver import train_model

    if flags["train"] and not (flags["output"] or flags["save_vocab"]):
        click.echo("word2vec: warning: neither -output nor -save-vocab is given: the text is read "
                   "but nothing is written", err=True)
    train_model(TrainOptions(**flags), vectors_wanted=False, release_jit_pages=True)
    return 0
