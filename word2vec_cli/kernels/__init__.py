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
import hashlib
import os


def cache_folders(here):
    """Return the folders numba may keep this package's kernels in: ``__pycache__``
    beside the sources and, with ``NUMBA_CACHE_DIR``, numba's folder for them there
    (named as numba names it: the folder's name and the SHA-1 of its path)."""
    folders = [os.path.join(here, "__pycache__")]
    user = os.environ.get("NUMBA_CACHE_DIR")
    if user:
        folders.append(os.path.join(user, f"{os.path.basename(here)}_{hashlib.sha1(here.encode()).hexdigest()}"))
    return folders


def _drop_stale_kernel_cache():
    here = os.path.dirname(os.path.abspath(__file__))
    model = os.path.join(os.path.dirname(here), "model")
    sources = glob.glob(os.path.join(here, "*.py")) + [os.path.join(model, name)
                                                       for name in ("weights.py", "sampling.py")]
    try:
        newest = max(os.stat(path).st_mtime for path in sources)
        caches = [cache for folder in cache_folders(here) for cache in glob.glob(os.path.join(folder, "*.nb[ic]"))]
        for cache in caches:
            if os.stat(cache).st_mtime < newest:
                os.unlink(cache)
    except (OSError, ValueError):  # a read-only installation, or a race with another run
        pass


_drop_stale_kernel_cache()
