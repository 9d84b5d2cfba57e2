"""A training run that calls Python back at every epoch's start and end.

gensim's callbacks (``on_epoch_begin``, ``on_epoch_end``) see the model between
epochs, with its vectors and its loss so far. :func:`train_with_hooks` runs a job
as :func:`~.driver.train_model` does (the same checks, vocabulary, start: fresh or
from a saved model, and model file), without the progress display, the ``-log``
and checkpoints, and hands the live :class:`~.run.TrainingRun` to the hooks
through the run's ``on_epoch`` hook; the threads meet at every epoch's end, so the
hooks see consistent matrices.
"""

import dataclasses


@dataclasses.dataclass
class HookedResult:
    """What :func:`train_with_hooks` produced: the vocabulary (``</s>`` first), the
    input vectors ``syn0``, the loss of this run alone (float64 sum; 0 when not
    tracked), the words processed and the epochs trained."""

    vocabulary: object
    syn0: object
    loss: float
    words: int
    epochs: int


def train_with_hooks(options, on_train_begin=None, on_epoch_begin=None, on_epoch_end=None, tmpdir=None):
    """Run the training job ``options`` (a :class:`~word2vec_cli.model.options.TrainOptions`,
    with ``save_model`` set to keep the model) in this process.

    Each hook, when given, is called with the live run: ``on_train_begin(run)``
    once the run is ready, ``on_epoch_begin(run)`` before each epoch and
    ``on_epoch_end(run)`` after it, while the threads wait. Returns a
    :class:`HookedResult`. Raises :class:`~word2vec_cli.errors.Word2VecError` for
    bad input (before training starts) or a failing thread; an exception raised by
    a hook stops the threads and propagates.
    """
    from . import setup
    from .checkpoint import save_run
    from .driver import build_vocabulary, check_paths

    opts, saved = setup.options_for(options)
    check_paths(opts)
    folder = tmpdir or opts.tmpdir
    if saved is not None:
        vocabulary, tokens, _, prepare = setup.continue_saved(opts, saved, folder)
    else:
        vocabulary, tokens, _ = build_vocabulary(opts, folder)
        prepare = setup.fresh(opts)
    with tokens:
        if opts.save_vocab:
            vocabulary.save(opts.save_vocab)
        run = prepare(opts, vocabulary, tokens)
        run.track_loss = opts.tracks_loss
        run.link()
        loss_before, words_before, epoch_before = run.state.loss, run.state.words_done, run.state.epoch
        if on_train_begin is not None:
            on_train_begin(run)
        if on_epoch_begin is not None and run.state.epoch < opts.iter:
            on_epoch_begin(run)

        def on_epoch(current):
            if on_epoch_end is not None:
                on_epoch_end(current)
            if on_epoch_begin is not None and current.state.epoch < opts.iter:
                on_epoch_begin(current)

        run.train(on_epoch=on_epoch, meet=True)
        if opts.save_model:
            save_run(opts.save_model, run)
        state = run.state
        return HookedResult(vocabulary, state.syn0, state.loss - loss_before, state.words_done - words_before,
                            state.epoch - epoch_before)
