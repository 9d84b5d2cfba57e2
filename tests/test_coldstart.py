"""A first run with an empty numba cache says that it compiles, and later runs do not."""

from conftest import GOLDEN, run_cli

TINY = GOLDEN / "tiny-corpus.txt"


def test_a_cold_cache_run_says_it_compiles_and_trains_and_a_warm_one_is_silent(tmp_path):
    flags = ["-train", TINY, "-output", tmp_path / "v.txt", "-iter", "1", "-size", "10", "-cbow", "1", "-hs", "0"]
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")}  # empty: every kernel compiles
    cold = run_cli(*flags, env=env, timeout=900)
    assert cold.returncode == 0, cold.stderr
    lines = cold.stderr.decode().splitlines()
    said = [k for k, line in enumerate(lines) if line.startswith("Compiling the training kernels")]
    trained = [k for k, line in enumerate(lines) if line.startswith("Training ")]
    assert len(said) == 1 and trained and said[0] < trained[0]
    assert (tmp_path / "v.txt").stat().st_size > 0
    warm = run_cli(*flags, env=env)
    assert warm.returncode == 0, warm.stderr
    assert b"Compiling" not in warm.stderr and b"Training " in warm.stderr
