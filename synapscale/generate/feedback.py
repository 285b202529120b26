"""Feedback on a few percent of successful messages, with per-model quality and some re-sent versions."""

from __future__ import annotations

import numpy as np
import polars as pl

from synapscale.generate.catalog import FEEDBACK_CATEGORIES, FEEDBACK_COMMENTS
from synapscale.generate.draws import ids


def feedback(rng: np.random.Generator, usage: pl.DataFrame, id_token: str) -> pl.DataFrame:
    n = usage.height
    chosen = np.flatnonzero((usage["status"].to_numpy() == "success") & (rng.random(n) < 0.04))
    picked = usage[chosen]
    count = len(chosen)
    quality = picked["_quality"].to_numpy()
    kind = np.array(["thumbs", "rating", "category"])[rng.choice(3, count, p=[0.6, 0.3, 0.1])]
    thumbs = np.where(rng.random(count) < quality, "up", "down")
    rating = np.clip(np.round(1 + 4 * quality + rng.normal(0, 0.9, count)), 1, 5).astype(np.int64).astype(str)
    negative = np.array(FEEDBACK_CATEGORIES[1:])[rng.integers(0, len(FEEDBACK_CATEGORIES) - 1, count)]
    category = np.where(rng.random(count) < quality, "helpful", negative)
    value = np.where(kind == "thumbs", thumbs, np.where(kind == "rating", rating, category))
    delay_us = (picked["latency_ms"].to_numpy() * 1000 + rng.lognormal(np.log(60), 1.2, count) * 1_000_000).astype(
        np.int64
    )
    created = picked["occurred_at"].cast(pl.Int64).to_numpy() + delay_us
    comment_index = rng.integers(0, len(FEEDBACK_COMMENTS), count)
    source = np.array(["user", "annotation", "eval"])[rng.choice(3, count, p=[0.9, 0.07, 0.03])]
    frame = pl.DataFrame(
        {
            "feedback_id": ids(f"fb_{id_token}", np.arange(1, count + 1), 9),
            "message_id": picked["message_id"],
            "user_id": picked["user_id"],
            "created_at": created,
            "kind": kind,
            "value": value,
            "comment": pl.Series(list(FEEDBACK_COMMENTS), dtype=pl.String).gather(comment_index),
            "source": source,
        }
    )
    # A few re-sent versions: same feedback_id, later, changed value (latest created_at wins downstream).
    resent = np.flatnonzero(rng.random(count) < 0.03)
    later = rng.integers(60, 2 * 86_400, len(resent)) * 1_000_000
    versions = frame[resent].with_columns(
        created_at=pl.col("created_at") + pl.Series(later),
        value=pl.when(pl.col("kind") == "thumbs")
        .then(pl.when(pl.col("value") == "up").then(pl.lit("down")).otherwise(pl.lit("up")))
        .when(pl.col("kind") == "rating")
        .then((6 - pl.col("value").cast(pl.Int64)).clip(1, 5).cast(pl.String))
        .otherwise(pl.col("value")),
    )
    return (
        pl.concat([frame, versions])
        .with_columns(created_at=pl.col("created_at").cast(pl.Datetime("us", "UTC")))
        .sort("created_at", "feedback_id")
    )
