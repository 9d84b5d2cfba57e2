"""Releasing LLVM's idle pages: the resident size drops and kernels keep working."""

import sys

import numpy as np
import pytest

from word2vec_cli import jitmemory


def _compiler_private_kb():
    """Resident kB of the LLVM library mapped by this process alone (/proc/self/smaps).

    Pages another process maps too (say, a word2vec run beside the tests) count as
    shared, and the kernel does not page those out for us.
    """
    total, inside = 0, False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if fields and "-" in fields[0] and not fields[0].endswith(":"):
                inside = len(fields) >= 6 and jitmemory.COMPILER_LIBRARY in fields[5]
            elif inside and fields[0] in ("Private_Clean:", "Private_Dirty:"):
                total += int(fields[1])
    return total


def test_compiler_mappings_parses_maps(tmp_path):
    maps = tmp_path / "maps"
    maps.write_text(
        "7f0000000000-7f0000100000 r--p 00000000 08:01 1 /venv/llvmlite/binding/libllvmlite.so\n"
        "7f0000100000-7f0000300000 r-xp 00100000 08:01 1 /venv/llvmlite/binding/libllvmlite.so\n"
        "7f0000300000-7f0000301000 rw-p 00000000 00:00 0 \n"
        "7f0000400000-7f0000500000 r-xp 00000000 08:01 2 /usr/lib/libc.so.6\n")
    assert jitmemory.compiler_mappings(str(maps)) == [(0x7F0000000000, 0x100000), (0x7F0000100000, 0x200000)]
    assert jitmemory.compiler_mappings(str(tmp_path / "missing")) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc and MADV_PAGEOUT")
def test_release_drops_resident_pages_and_kernels_still_run():
    from word2vec_cli.model import weights

    before = weights.initial_vectors(50, 8, np.uint64(1))  # LLVM has linked a kernel
    resident = _compiler_private_kb()
    if resident < 10_000:  # tens of MB are resident after a load, unless shared
        pytest.skip("another process maps the LLVM library too")
    advised = jitmemory.release_compiler_pages()
    if advised == 0:
        pytest.skip("MADV_PAGEOUT refused by this kernel")
    assert _compiler_private_kb() < resident / 2
    np.testing.assert_array_equal(weights.initial_vectors(50, 8, np.uint64(1)), before)
    from numba import njit

    @njit
    def fresh(x):  # compiled now: LLVM runs again on reclaimed pages
        return x * 2 + 1

    assert fresh(20) == 41
