"""Shared test helpers: fixture paths and running the command line."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# A suite started in the background of a shell inherits SIGINT ignored, and so would
# every command the tests start (and the Ctrl-C tests could not interrupt them): with a
# handler here, the children start with the default action again (exec resets it).
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
GOLDEN = FIXTURES / "golden"
REPO = TESTS.parent
#: The project's shared folder (data sets, the reference's outputs); may be absent.
SHARED = REPO.parent / "shared"


def no_hot_rows(syn1):
    """The ``hot`` argument of a kernel step with no private Huffman rows."""
    return np.array([len(syn1), 0], dtype=np.int64)


def no_penalty():
    """The ``l2_in, l2_out, cap`` arguments of a kernel step: no penalty, no clamp."""
    return np.float32(0), np.float32(0), np.float32(0)


def loss_args():
    """The ``loss_table, loss`` arguments of a kernel step (the loss is accumulated, unused)."""
    from word2vec_cli.model.weights import loss_table

    return loss_table(), np.zeros(1, dtype=np.float64)  # size 0 would switch the loss off


def run_cli(*args, input=None, timeout=300, env=None):
    """Run ``python -m word2vec_cli ARGS`` and return the CompletedProcess (bytes)."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "word2vec_cli", *map(str, args)], input=input,
                          capture_output=True, timeout=timeout, env=full_env)


@pytest.fixture
def shared():
    """Path of ../shared, skipping the test when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not available")
    return SHARED
