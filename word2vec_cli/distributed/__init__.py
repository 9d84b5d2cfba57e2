"""Data-parallel training on a Dask cluster (``word2vec -dask``; needs the ``dask`` extra).

:mod:`.client` runs the job from the machine that starts it, :mod:`.worker` holds what
runs on the workers, :mod:`.sync` decides which rows travel and combines them. Dask is
imported only when a job starts.
"""
