"""The Operations page's queries: data quality (marts.quarantine_daily, unpriced_usage_daily, unknown_models_daily,
usage_arrival_lateness_daily) and freshness (meta.publication, the last day of usage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl
import streamlit as st

from app.data.source import CACHE, MONEY, Filters, Serve, _frame, _row, connect, where

LATENESS_ORDER = (
    "before_occurrence",
    "same_day",
    "1_day",
    "2_to_3_days",
    "4_to_7_days",
    "8_to_30_days",
    "over_30_days",
)


@dataclass(frozen=True)
class DataQuality:
    quarantine: pl.DataFrame  # record_type, reason_code, source_file, records, lines, example
    unpriced: pl.DataFrame  # unpriced_reason, model, provider, unpriced_calls, tokens
    unknown_models: pl.DataFrame  # model_raw, provider, calls, provider-reported calls and cost
    lateness: pl.DataFrame  # lateness_bucket, calls, cost
    last_usage_day: date | None
    last_arrival_day: date | None
    last_quarantined_at: datetime | None


@st.cache_data(**CACHE)
def data_quality(serve: Serve, filters: Filters) -> DataQuality:  # long: six queries on one connection, most of it SQL
    """What ingest rejected (by the day it was quarantined), calls without a price, model names the catalog does not
    know, and how late calls arrived, over the range (UTC days). Quarantined records have no workspace or model."""
    usage, usage_params = where(filters, day="usage_date", provider="provider", model="model")
    with connect(serve) as con:
        quarantine = _frame(
            con,
            """
            select
                record_type, reason_code, source_file, sum(records)::bigint as records,
                min(first_line) as first_line, max(last_line) as last_line,
                min(example_reason_message) as example_reason_message
            from marts.quarantine_daily
            where quarantine_date between ? and ?
            group by record_type, reason_code, source_file
            order by records desc, reason_code, source_file
            """,
            [filters.start, filters.end],
        )
        unpriced = _frame(
            con,
            f"""
            select
                unpriced_reason, model, provider, sum(unpriced_calls)::bigint as unpriced_calls,
                sum(input_tokens + output_tokens)::bigint as tokens
            from marts.unpriced_usage_daily
            where {usage}
            group by unpriced_reason, model, provider
            order by unpriced_calls desc, unpriced_reason, model, provider
            """,
            usage_params,
        )
        unknown_models = _frame(
            con,
            f"""
            select
                model_raw, provider, sum(calls)::bigint as calls,
                sum(provider_reported_calls)::bigint as provider_reported_calls,
                sum(provider_cost_usd)::{MONEY} as provider_cost_usd,
                min(usage_date) as first_seen, max(usage_date) as last_seen
            from marts.unknown_models_daily
            where {usage}
            group by model_raw, provider
            order by calls desc, model_raw, provider
            """,
            usage_params,
        )
        arrival, arrival_params = where(filters, day="usage_date")
        lateness = _frame(
            con,
            f"""
            select lateness_bucket, sum(calls)::bigint as calls, sum(cost_usd)::{MONEY} as cost_usd
            from marts.usage_arrival_lateness_daily
            where {arrival}
            group by lateness_bucket
            """,
            arrival_params,
        )
        last_usage, last_arrival = _row(
            con, "select max(usage_date), max(arrival_date) from marts.usage_arrival_lateness_daily"
        )
        (last_quarantined,) = _row(con, "select max(last_quarantined_at) from marts.quarantine_daily")
    order = {bucket: index for index, bucket in enumerate(LATENESS_ORDER)}
    lateness = lateness.with_columns(
        pl.col("lateness_bucket").replace_strict(order, default=len(order), return_dtype=pl.Int8).alias("position")
    ).sort("position")
    return DataQuality(quarantine, unpriced, unknown_models, lateness, last_usage, last_arrival, last_quarantined)
