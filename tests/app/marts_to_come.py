"""Stand-ins for marts that round 2 of the marts work delivers, in the shape docs/dashboard.md asks for, so the
app's second SQL source (workspace-local days, tags) is tested before the real mart lands. Built here with
polars from a real serve file's core.usage_logs, into a copy of that serve file; replace with the real mart
when it is published."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl

BUCKETS = ("uncached_input", "cache_read", "cache_write", "visible_output", "reasoning")


def cost_daily_local(usage_logs: pl.DataFrame, time_zones: dict[str, str]) -> pl.DataFrame:
    """marts.cost_daily_local: workspace-local day x workspace x user x model x provider x tag set."""
    parts = [
        usage_logs.filter(pl.col("workspace_id") == workspace).with_columns(
            pl.col("occurred_at").dt.convert_time_zone(zone).dt.date().alias("usage_date"),
            pl.lit(zone).alias("timezone"),
        )
        for workspace, zone in time_zones.items()
    ]
    calls = pl.concat(parts).with_columns(
        pl.coalesce("llm_id", pl.lit("unresolved:") + pl.col("model_raw")).alias("model"),
        pl.col("tags")
        .list.eval(pl.element().str.strip_chars().str.to_lowercase())
        .list.unique()
        .list.sort()
        .fill_null([]),
    )
    measures = [
        pl.len().alias("calls"),
        (pl.col("status") == "error").sum().alias("error_calls"),
        pl.col("input_tokens").sum(),
        pl.col("output_tokens").sum(),
        *(pl.col(f"{bucket}_tokens").sum() for bucket in BUCKETS),
        *(pl.col(f"{bucket}_cost_usd").fill_null(0).sum() for bucket in BUCKETS),
        pl.col("cost_usd").fill_null(0).sum(),
        pl.col("cost_usd").is_null().sum().alias("unpriced_calls"),
    ]
    keys = ["usage_date", "workspace_id", "user_id", "model", "provider", "timezone", "tags"]
    return calls.group_by(keys).agg(measures)


def with_local_days(serve_db: Path, destination: Path, time_zones: dict[str, str]) -> Path:
    """A copy of serve_db that also publishes marts.cost_daily_local (the workspaces' time zones given)."""
    shutil.copyfile(serve_db, destination)
    with duckdb.connect(str(destination)) as con:
        logs = con.sql("select * from core.usage_logs").pl()
        local = cost_daily_local(logs, time_zones)
        con.register("local_days", local.to_arrow())
        con.execute("create table marts.cost_daily_local as select * from local_days")
    return destination


def without(serve_db: Path, destination: Path, relation: str) -> Path:
    """A copy of serve_db that lacks one relation (a publication from before that mart existed)."""
    shutil.copyfile(serve_db, destination)
    with duckdb.connect(str(destination)) as con:
        con.execute(f"drop table {relation}")
    return destination
