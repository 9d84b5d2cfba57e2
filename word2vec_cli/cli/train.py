"""The ``word2vec`` training command, with the reference's single-dash flags."""

import click

from ..model.options import TrainOptions

_DEFAULTS = TrainOptions()

USAGE_EPILOG = """\
Subcommands (also installed under the reference's names):
  word2vec distance FILE           nearest words      (distance)
  word2vec analogy FILE            a : b :: c : ?     (word-analogy)
  word2vec accuracy FILE [N]       analogy test set   (compute-accuracy)
  word2vec phrases -train ...      join frequent bigrams (word2phrase)
  word2vec similarity FILE PAIRS   correlation with human similarity scores
  word2vec convert IN OUT          text / binary / numpy vector files

Example:
  word2vec -train data.txt -output vec.bin -cbow 1 -size 200 -window 8 -negative 25
           -hs 0 -sample 1e-4 -threads 2 -binary 1 -iter 15
"""


def _flag(name, type_, help_, default=None, metavar=None):
    dest = name.replace("-", "_")
    return click.option(f"-{name}", dest, type=type_, default=default, show_default=default is not None,
                        metavar=metavar, help=help_)


@click.command(context_settings={"help_option_names": ["--help", "-help", "-h"], "max_content_width": 100},
               epilog=USAGE_EPILOG)
@_flag("train", str, "Train on the text in FILE (- = stdin; "
       ".gz/.bz2/.xz are decompressed).", metavar="FILE")
@_flag("output", str, "Write the word vectors (or classes) to FILE; without it only "
       "the vocabulary is built.", metavar="FILE")
@_flag("size", int, "Dimension of the word vectors.", _DEFAULTS.size)
@_flag("window", int, "Maximum skip length between words.", _DEFAULTS.window)
@_flag("sample", float, "Down-sampling threshold for frequent words; 0 = off.", _DEFAULTS.sample)
@_flag("hs", int, "Use hierarchical softmax (1) or not (0).", _DEFAULTS.hs)
@_flag("negative", int, "Number of negative samples; 0 = off.", _DEFAULTS.negative)
@_flag("threads", int, "Worker threads [default: usable cores, at most 12].")
@_flag("iter", int, "Training epochs.", _DEFAULTS.iter)
@_flag("min-count", int, "Discard words that occur fewer times.", _DEFAULTS.min_count)
@_flag("alpha", float, "Starting learning rate [default: 0.05 CBOW, 0.025 skip-gram].")
@_flag("classes", int, "Write K k-means word classes instead of vectors (0 = vectors).", _DEFAULTS.classes)
@_flag("debug", int, "0 quiet, 1 sizes and summary, 2 progress bars.", _DEFAULTS.debug)
@_flag("binary", int, "Write vectors in binary (1) or text (0).", _DEFAULTS.binary)
@_flag("save-vocab", str, "Save the vocabulary ('word count' lines) to FILE.",
       metavar="FILE")
@_flag("read-vocab", str, "Read the vocabulary from FILE instead of counting.",
       metavar="FILE")
@_flag("cbow", int, "CBOW (1) or skip-gram (0).", _DEFAULTS.cbow)
@_flag("seed", int, "[ours] Base of the random generators; 0 reproduces the reference.", _DEFAULTS.seed)
@_flag("batch", int, "[ours] Batched skip-gram with negative sampling (-cbow 0 only).", _DEFAULTS.batch)
def train_command(**flags):
    """WORD VECTOR estimation toolkit: train word vectors like the reference word2vec.

    Reads the text once, trains CBOW or skip-gram with hierarchical softmax and/or
    negative sampling on several threads, and writes the reference's text or binary
    vector format.
    """
    from ..training.driver import train_model

    train_model(TrainOptions(**flags), vectors_wanted=False)
    return 0
