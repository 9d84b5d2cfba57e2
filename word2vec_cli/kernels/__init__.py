"""The numba training kernels: row primitives, the shared hierarchical-softmax and
negative-sampling steps, the CBOW and skip-gram position steps, and one thread's
training loop.

numba's on-disk cache checks only the file that defines a function, but the training
kernel inlines functions from every module of this package (and from
``model/weights.py`` and ``model/sampling.py``): after one of those changes, a cached
``train_thread`` would still run the old code. So, before any kernel loads, cached
kernels older than the newest of those sources are removed here (a few ``stat``
calls; nothing happens in an installed package whose cache is newer than its files).
"""

import glob
import os


def _drop_stale_kernel_cache():
    here = os.path.dirname(os.path.abspath(__file__))
    model = os.path.join(os.path.dirname(here), "model")
    sources = glob.glob(os.path.join(here, "*.py")) + [os.path.join(model, name)
                                                       for name in ("weights.py", "sampling.py")]
    try:
        newest = max(os.stat(path).st_mtime for path in sources)
        caches = glob.glob(os.path.join(here, "__pycache__", "*.nb[ic]"))
        for cache in caches:
            if os.stat(cache).st_mtime < newest:
                os.unlink(cache)
    except (OSError, ValueError):  # a read-only installation, or a race with another run
        pass


_drop_stale_kernel_cache()
