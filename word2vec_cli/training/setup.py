"""Where a run starts: fresh, from a checkpoint (``-resume``), from a saved model
and new text (``-init-model``), and with pretrained vectors (``-init-vectors``).

Each way gives the driver a ``prepare(opts, vocabulary, tokens)`` function that
returns the :class:`~.run.TrainingRun` with its state in place.
"""

import dataclasses
import sys
import time

from ..errors import UsageError, Word2VecError


def options_for(options):
    """Return ``(opts, saved)``: the resolved options of the run and the
    :class:`~.checkpoint.SavedModel` it continues (None for a fresh run).

    With ``resume`` the checkpoint's options hold, except the run-control ones
    (:data:`~word2vec_cli.model.options.RUN_CONTROL`); with ``init_model`` the
    model's shape (size, architecture, outputs) holds and the command line's other
    flags apply to the new run. An explicit flag that contradicts them is a
    :class:`UsageError`.
    """
    from ..model.options import MODEL_SHAPE, RUN_CONTROL, TrainOptions, merged_options
    from .checkpoint import load_model

    if not (options.resume or options.init_model):
        return options.resolved(), None
    if options.resume and options.init_model:
        raise UsageError("-resume and -init-model exclude each other")
    saved = load_model(options.resume or options.init_model)
    if options.resume:
        keep = [f.name for f in dataclasses.fields(TrainOptions) if f.name not in RUN_CONTROL]
        if options.threads is not None and options.threads != saved.options.threads:
            raise UsageError(f"-threads {options.threads}: the checkpoint was made with -threads "
                             f"{saved.options.threads}, and a run resumes on as many threads")
        opts = merged_options(saved.options, options, keep)
        if opts.checkpoint is None:  # a resumed run goes on checkpointing where it came from
            opts.checkpoint = options.resume
            if options.checkpoint_every == TrainOptions().checkpoint_every:
                opts.checkpoint_every = saved.options.checkpoint_every
    else:
        opts = merged_options(saved.options, options, MODEL_SHAPE)
        opts.read_vocab = None
        if options.threads is None:
            opts.threads = None
        if opts.alpha_schedule == "continue":
            opts.alpha = float(saved.state.alphas.mean())
        elif options.alpha is None:
            opts.alpha = saved.options.alpha
    return opts.resolved(), saved


def _apply_init_vectors(opts, run):
    if not opts.init_vectors:
        return
    from .incremental import load_initial_vectors

    rows, found = load_initial_vectors(opts.init_vectors, run.vocabulary, opts.size)
    run.state.syn0[found] = rows
    if opts.debug >= 1:
        print(f"-init-vectors: {len(found):,} of {len(run.vocabulary):,} words start from {opts.init_vectors}",
              file=sys.stderr, flush=True)


def fresh(opts):
    """Return the ``prepare`` function of a new run (with ``-init-vectors`` applied)."""
    from .run import TrainingRun

    def prepare(opts, vocabulary, tokens):
        run = TrainingRun(opts, vocabulary, tokens)
        _apply_init_vectors(opts, run)
        return run

    return prepare


def _check_same_text(opts, saved, tokens):
    """Raise :class:`Word2VecError` (closing ``tokens``) unless the text encoded for
    a resumed run is the checkpoint's: the same token count and, for files that
    record it, the same fingerprint (CRC-32 of the token ids)."""
    from .checkpoint import text_fingerprint

    why = None
    if tokens.n_tokens != int(saved.meta["n_tokens"]):
        why = f"{tokens.n_tokens:,} tokens, the checkpoint's had {saved.meta['n_tokens']:,}"
    elif saved.meta.get("text_crc32") is not None and text_fingerprint(tokens.array()) != saved.meta["text_crc32"]:
        why = "the same number of tokens, but other words or another order"
    if why:
        tokens.close()
        raise Word2VecError(f"{opts.train} is not the text the checkpoint was trained on ({why})")


def continue_saved(opts, saved, tmpdir=None, bar=None):
    """Encode the text for a run that continues ``saved``; return ``(vocabulary,
    tokens, seconds, prepare)``. Raises :class:`Word2VecError` when a resumed
    run's text is not the checkpoint's (its token count or fingerprint differs)."""
    from ..files.inputs import check_readable
    from ..text import corpus
    from .checkpoint import saved_tokens
    from .incremental import prepare_update
    from .run import TrainingRun

    start = time.perf_counter()
    progress = bar.update if bar else None
    try:
        if opts.resume:
            tokens = saved_tokens(saved, tmpdir)
            vocabulary = saved.vocabulary
            if tokens is None:
                check_readable(opts.train, "training file")
                vocabulary, tokens = corpus.encode(opts.train, read_vocab=saved.vocabulary, tmpdir=tmpdir,
                                                   progress=progress)
                _check_same_text(opts, saved, tokens)

            def prepare(opts, vocabulary, tokens):
                if opts.debug >= 1:
                    where = (f"epoch {saved.state.epoch + 1} of {opts.iter}" if not saved.finished
                             else "its schedule is complete")
                    print(f"Resuming {saved.path}: {where}, {saved.state.words_done:,} words done",
                          file=sys.stderr, flush=True)
                return TrainingRun(opts, vocabulary, tokens, **saved.run_kwargs())
        else:
            update = prepare_update(saved, opts, tmpdir, progress)
            vocabulary, tokens = update.vocabulary, update.tokens
            if opts.debug >= 1:
                print(f"Training {saved.path} further: {update.new_words:,} new words, vocabulary "
                      f"{len(vocabulary):,}, {update.epoch_words:,} words of new text", file=sys.stderr, flush=True)

            def prepare(opts, vocabulary, tokens):
                run = TrainingRun(opts, vocabulary, tokens, epoch_words=update.epoch_words, tree=update.tree)
                update.fill(run.state)
                _apply_init_vectors(opts, run)
                return run
    finally:
        if bar is not None:
            bar.close()
    return vocabulary, tokens, time.perf_counter() - start, prepare
