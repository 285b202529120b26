"""Which file each usage record lands in, and the bad, re-sent and late records the rates ask for."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl

from synapscale.generate.config import GeneratorConfig


def corrupt_duplicate_late(rng: np.random.Generator, config: GeneratorConfig, usage: pl.DataFrame) -> pl.DataFrame:
    """Add the `_file` each record lands in; apply the bad, duplicate and late rates."""
    n = usage.height
    usage = usage.drop("_quality").with_columns(
        _file=pl.lit("usage_") + pl.col("occurred_at").dt.strftime("%Y-%m"),
        _day=pl.col("occurred_at").dt.date(),
        _bad=False,
    )
    if config.bad_rate > 0:
        bad = rng.choice(n, int(round(n * config.bad_rate)), replace=False)
        kind = np.full(n, -1)
        kind[bad] = np.arange(len(bad)) % 6
        k = pl.Series(kind)
        usage = usage.with_columns(
            _bad=k >= 0,
            input_tokens=pl.when(k == 0).then(-pl.col("input_tokens")).otherwise(pl.col("input_tokens")),
            cache_read_input_tokens=pl.when(k == 1)
            .then(pl.col("input_tokens") + 10)
            .otherwise(pl.col("cache_read_input_tokens")),
            workspace_id=pl.when(k == 2).then(None).otherwise(pl.col("workspace_id")),
            occurred_at=pl.when(k == 3).then(pl.lit(datetime(1900, 1, 1, tzinfo=UTC))).otherwise(pl.col("occurred_at")),
            reasoning_output_tokens=pl.when(k == 4)
            .then(pl.col("output_tokens") + 5)
            .otherwise(pl.col("reasoning_output_tokens")),
            status=pl.when(k == 5).then(pl.lit("weird")).otherwise(pl.col("status")),
        )
    if config.late_rate > 0:
        late = np.zeros(n, dtype=bool)
        late[rng.choice(n, int(round(n * config.late_rate)), replace=False)] = True
        delay_days = pl.Series(rng.integers(1, 6, n))
        usage = usage.with_columns(
            _late=pl.Series(late),
            _file=pl.when(pl.Series(late))
            .then(pl.lit("usage_late_landed_") + (pl.col("_day") + pl.duration(days=delay_days)).cast(pl.String))
            .otherwise(pl.col("_file")),
        ).drop("_late")
    if config.duplicate_rate > 0:
        copies = rng.choice(n, int(round(n * config.duplicate_rate)), replace=True)
        shift = pl.Series(rng.integers(0, 20, len(copies)))
        base = usage.filter(~pl.col("_bad")).sort("_order")  # re-sent records are good ones: exact counts
        resent = base.gather(copies % base.height).with_columns(
            _file=pl.lit("usage_") + (pl.col("_day") + pl.duration(days=shift)).dt.strftime("%Y-%m"),
            _order=pl.col("_order") + n,
        )
        usage = pl.concat([usage, resent])
    return usage.drop("_day", "_bad")
