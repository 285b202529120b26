"""Vectorised draws and column builders shared by the generator's modules (no loop over events)."""

from __future__ import annotations

import numpy as np
import polars as pl


def sample_rows(rng: np.random.Generator, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each i, a column index drawn from the distribution weights[rows[i]] (vectorised: the per-row CDFs
    are
    laid end to end, row r shifted by r, and one searchsorted finds every draw)."""
    cdf = np.cumsum(weights, axis=1)
    cdf /= cdf[:, -1:]
    cdf[:, -1] = 1.0
    shifted = (cdf + np.arange(weights.shape[0])[:, None]).ravel()
    flat = np.searchsorted(shifted, rows + rng.random(len(rows)) * (1 - 1e-12), side="right")
    return np.minimum(flat - rows * weights.shape[1], weights.shape[1] - 1)


def pick(values: np.ndarray, index: np.ndarray) -> pl.Series:
    """values[index] as a polars string column, gathered from the few distinct values (fast)."""
    return pl.Series(values.tolist(), dtype=pl.String).gather(index)


def ids(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    return pl.select(pl.lit(prefix) + pl.Series(numbers).cast(pl.String).str.zfill(width)).to_series()
