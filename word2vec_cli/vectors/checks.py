"""Sanity checks for vector files that may be hostile: sizes announced by a header
against the bytes really there, and values that are not finite numbers."""

import numpy as np
from numba import njit

from ..errors import Word2VecError


def least_bytes(n_rows, dim, binary):
    """Return the fewest bytes ``n_rows`` records of ``dim`` numbers can take."""
    return n_rows * (4 * dim + 1) if binary else n_rows * (2 * dim)


def grown_matrix(matrix, n_rows):
    """Return a copy of ``matrix`` with room for twice the rows (at most ``n_rows``)."""
    larger = np.empty((min(n_rows, 2 * matrix.shape[0]), matrix.shape[1]), dtype=matrix.dtype)
    larger[: matrix.shape[0]] = matrix
    return larger


@njit(cache=True, nogil=True)
def first_non_finite(matrix):
    """Return the first row holding a NaN or an infinity, or -1 when all are finite."""
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            if not np.isfinite(matrix[i, j]):
                return i
    return -1


def check_finite(matrix, path):
    """Refuse a binary file with NaN or infinite values (they poison every cosine);
    the message names the first record. Returns nothing."""
    row = first_non_finite(matrix)
    if row >= 0:
        raise Word2VecError(f"{path}, record {row + 1}: NaN or infinite value (such vectors are refused)")


def check_size(path, n_rows, dim, binary, data_bytes):
    """Refuse a header that announces far more data than the file holds (so that a
    corrupt header cannot trigger a huge allocation). Returns nothing."""
    if data_bytes is None:
        return
    least = least_bytes(n_rows, dim, binary)
    if least > data_bytes:
        holds = data_bytes // (4 * dim + 1) if binary else data_bytes // (2 * dim)
        raise Word2VecError(
            f"{path}, line 1: header announces {n_rows} words of {dim} numbers but the file "
            f"holds at most {holds}"
        )
