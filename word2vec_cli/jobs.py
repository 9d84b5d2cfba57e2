"""Running a training job where its options say: in this process
(:mod:`word2vec_cli.training.driver`) or on a Dask cluster (:mod:`word2vec_cli.distributed`).

The command line and :func:`word2vec_cli.train` both start here, so that the driver
below never reaches up to the distributed layer that is built on it.
"""


def run_training(options, vectors_wanted=True, tmpdir=None, release_jit_pages=False, evaluate=None):
    """Run the training job ``options`` (a :class:`~word2vec_cli.model.options.TrainOptions`)
    and return its :class:`~word2vec_cli.training.driver.TrainingResult`.

    With ``options.dask`` the job runs on that cluster
    (:func:`word2vec_cli.distributed.client.train_model_on_dask`); otherwise in this
    process (:func:`word2vec_cli.training.driver.train_model`, whose parameters these are).
    """
    if options.dask:
        from .distributed.client import train_model_on_dask

        return train_model_on_dask(options, vectors_wanted)
    from .training.driver import train_model

    return train_model(options, vectors_wanted=vectors_wanted, tmpdir=tmpdir, release_jit_pages=release_jit_pages,
                       evaluate=evaluate)
