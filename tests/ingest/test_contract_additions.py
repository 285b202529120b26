"""The contract's cache_creation_1h_input_tokens column (validated, migrated into older build databases, defaulted for
Parquet files registered without it) and the provider-name table applied to the OTel semantic-convention values."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ingest.adapters import providers
from ingest.contract import RAW_SCHEMA
from ingest.database import connect
from tests.ingest.shapes import load, query

BASE = {
    "occurred_at": "2025-01-01T00:00:00Z",
    "workspace_id": "w",
    "user_id": "u",
    "provider": "anthropic",
    "model": "claude-sonnet-4-5",
    "input_tokens": 1000,
    "output_tokens": 10,
    "cache_creation_input_tokens": 300,
}


def test_one_hour_writes_are_part_of_the_cache_writes(tmp_path: Path) -> None:
    usage = tmp_path / "usage_1h.jsonl"
    usage.write_text(
        json.dumps({**BASE, "event_id": "ok", "cache_creation_1h_input_tokens": 300})
        + "\n"
        + json.dumps({**BASE, "event_id": "too-many", "cache_creation_1h_input_tokens": 301})
        + "\n"
        + json.dumps({**BASE, "event_id": "absent"})
        + "\n"
    )
    db, report = load(tmp_path, usage)
    assert (report.files[0].loaded, report.files[0].quarantined) == (2, 1)
    assert query(db, "select source_line, reason_code from raw.quarantine") == [(2, "cache_1h_exceeds_cache_write")]
    assert dict(query(db, "select event_id, cache_creation_1h_input_tokens from raw.usage_events")) == {
        "ok": 300,
        "absent": 0,  # not reported: no 1-hour writes
    }


def test_an_older_build_database_gets_the_column(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    con = connect(db)
    con.execute(f"alter table {RAW_SCHEMA}.usage_event_rows drop column cache_creation_1h_input_tokens")
    con.execute(
        f"insert into {RAW_SCHEMA}.usage_event_rows (event_id, occurred_at, workspace_id, user_id, provider, model, "
        "input_tokens, output_tokens, load_id, source_file, source_line, ingested_at) "
        "values ('old', now(), 'w', 'u', 'openai', 'gpt-4o', 1, 1, 'l', 'f', 1, now())"
    )
    con.close()
    con = connect(db)  # the loader's connection migrates the rows table
    assert con.execute(f"select cache_creation_1h_input_tokens from {RAW_SCHEMA}.usage_event_rows").fetchall() == [(0,)]
    con.close()


def test_a_parquet_file_without_the_column_is_still_registered(tmp_path: Path) -> None:
    # A clean canonical Parquet file written before the column existed is registered; the view gives it 0.
    path = tmp_path / "landing" / "usage_old.parquet"
    path.parent.mkdir()
    duckdb.sql(
        "select 'e' || i::varchar as event_id, timestamptz '2025-01-01 00:00:00+00' + to_seconds(i) as occurred_at, "
        "'w' as workspace_id, 'u' as user_id, null::varchar as conversation_id, null::varchar as message_id, "
        "'openai' as provider, 'gpt-4o' as model, 'chat' as operation, 10::bigint as input_tokens, "
        "5::bigint as output_tokens, 0::bigint as cache_read_input_tokens, 0::bigint as cache_creation_input_tokens, "
        "0::bigint as reasoning_output_tokens, null::double as latency_ms, null::double as time_to_first_token_ms, "
        "'success' as status, null::varchar as error_type, null::varchar as finish_reason, "
        "null::boolean as is_streaming, null::decimal(38,18) as provider_cost_usd, null::varchar[] as tags, "
        "null::json as metadata from range(122880) t(i)"
    ).write_parquet(str(path))
    db, report = load(tmp_path, path)
    assert report.files[0].loaded == 122880
    assert query(db, "select storage from raw.load_manifest") == [("parquet_file",)]
    assert query(db, "select sum(cache_creation_1h_input_tokens), count(*) from raw.usage_events") == [(0, 122880)]


# gen_ai.provider.name / gen_ai.system values of the semantic conventions (registry-deprecated.yaml), and what is
# stored for each.
SEMCONV = {
    "openai": "openai",
    "OpenAI": "openai",
    "anthropic": "anthropic",
    "Anthropic": "anthropic",
    "azure.ai.openai": "azure",
    "az.ai.openai": "azure",
    "azure.ai.inference": "azure",
    "az.ai.inference": "azure",
    "aws.bedrock": "bedrock",
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "vertex_ai": "google",
    "gemini": "google",
    "x_ai": "xai",
    "xai": "xai",
    "deepseek": "deepseek",
    "groq": "groq",
    "mistral_ai": "mistral",
    "cohere": "cohere",
    "perplexity": "perplexity",
    "ibm.watsonx.ai": "watsonx",
    "SomeNewLab": "somenewlab",  # not in the table: kept, lower-cased
}


@pytest.mark.parametrize(("value", "stored"), list(SEMCONV.items()))
def test_semantic_convention_provider_names(value: str, stored: str) -> None:
    sql = providers.name_sql("$value")
    assert duckdb.execute(f"select {sql}", {"value": value}).fetchall() == [(stored,)]
