"""Giving the JIT compiler's idle memory back to the operating system.

numba links every kernel through LLVM, whose shared library (``libllvmlite.so``,
~70 MB of code resident after the first kernel is loaded) is idle once the kernels a
phase needs are linked. Those pages are clean copies of the library file, so the
kernel can reclaim them at no risk and read them back if LLVM runs again (the next
kernel load touches ~10 MB of them). Without this the compiler's code sits on top of
the matrices for the whole run; with it the peak resident memory of a training run
is the matrices plus ~90 MB of Python, numpy and numba runtime instead of ~160 MB.
"""

import ctypes
import mmap
import sys

#: Mappings whose path contains this are the compiler's code and data.
COMPILER_LIBRARY = "libllvmlite"

# MADV_PAGEOUT (Linux >= 5.4) reclaims what can be reclaimed and never discards data:
# pages written since mapping (relocations) stay, clean file pages go back to disk.
_MADV_PAGEOUT = getattr(mmap, "MADV_PAGEOUT", 21 if sys.platform.startswith("linux") else None)
_madvise = None


def _libc_madvise():
    global _madvise
    if _madvise is None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        libc.madvise.restype = ctypes.c_int
        _madvise = libc.madvise
    return _madvise


def compiler_mappings(maps_path="/proc/self/maps"):
    """Return ``[(start, length), ...]`` of this process's mappings of the LLVM library.

    Empty when the library is not loaded or the platform has no ``/proc``.
    """
    ranges = []
    try:
        with open(maps_path) as maps:
            for line in maps:
                fields = line.split(None, 5)
                if len(fields) == 6 and COMPILER_LIBRARY in fields[5]:
                    start, stop = (int(address, 16) for address in fields[0].split("-"))
                    ranges.append((start, stop - start))
    except OSError:
        pass
    return ranges


def release_compiler_pages():
    """Ask the OS to reclaim the resident pages of the LLVM library (``MADV_PAGEOUT``).

    Safe at any time: pages come back on demand if numba compiles or loads another
    kernel. Does nothing where the call is not supported. Returns the number of
    bytes advised (0 when nothing was done).
    """
    if _MADV_PAGEOUT is None:
        return 0
    advised = 0
    try:
        madvise = _libc_madvise()
    except (OSError, AttributeError):
        return 0
    for start, length in compiler_mappings():
        if madvise(start, length, _MADV_PAGEOUT) == 0:
            advised += length
    return advised


__all__ = ["release_compiler_pages", "compiler_mappings", "COMPILER_LIBRARY"]
