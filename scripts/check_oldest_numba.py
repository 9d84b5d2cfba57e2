#!/usr/bin/env python3
"""Check that the oldest numba ``pyproject.toml`` allows really compiles and runs the
kernels (they use LLVM intrinsics, such as prefetch, that old numbas lack).

Creates a throwaway virtual environment in a temporary folder, installs exactly the
minimum numba (pip picks a numpy that numba accepts) with click, tqdm and pytest,
exports the committed tree (``git archive HEAD``, so that the kernel caches of the
working copy are not touched) and runs the test suite there (``--tests`` to choose
files). Needs network access or a package mirror; exits with pytest's status.

Example::

    nice -n 10 python scripts/check_oldest_numba.py
    python scripts/check_oldest_numba.py --tests tests/test_kernels.py tests/test_training.py
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def minimum_numba():
    """Return the version in ``numba>=X`` of pyproject.toml."""
    text = (REPO_ROOT / "pyproject.toml").read_text()
    match = re.search(r'"numba>=([0-9][0-9.]*)"', text)
    if not match:
        raise SystemExit("pyproject.toml has no 'numba>=X' requirement")
    return match.group(1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", nargs="*", default=["tests"], help="test files or folders [default: tests]")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    version = minimum_numba()
    work = Path(tempfile.mkdtemp(prefix="oldest-numba-"))
    try:
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "-q", f"numba=={version}", "click", "tqdm", "pytest"],
                       check=True)
        tree = work / "tree"
        tree.mkdir()
        archive = subprocess.run(["git", "-C", str(REPO_ROOT), "archive", "HEAD"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        versions = subprocess.run([python, "-c", "import numba, numpy, llvmlite; "
                                   "print('numba', numba.__version__, 'numpy', numpy.__version__, "
                                   "'llvmlite', llvmlite.__version__)"], capture_output=True, text=True)
        print(versions.stdout.strip(), flush=True)
        result = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args.tests], cwd=tree,
                                env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})
        return result.returncode
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
