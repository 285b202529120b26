"""Each adapter maps its provider shape onto the inclusive canonical token totals.

Expected totals are worked out by hand from the fixture files (see the comments) or computed with polars
straight from the fixtures, never read back from the loader.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from ingest.load import ingest_paths
from tests.support.ingest import FIXTURES, query, quiet

TOKENS = (
    "sum(input_tokens), sum(output_tokens), sum(cache_read_input_tokens), "
    "sum(cache_creation_input_tokens), sum(reasoning_output_tokens), count(*)"
)


def _load(tmp_path: Path, *paths: Path, adapter: str | None = None):
    db = tmp_path / "warehouse" / "build.duckdb"
    report = ingest_paths(db, list(paths), adapter=adapter, progress=quiet)
    return db, report


def test_openai_usage_is_already_inclusive(tmp_path: Path) -> None:
    db, report = _load(tmp_path, FIXTURES / "openai" / "chat_completions.jsonl")
    result = report.files[0]
    assert (result.adapter, result.record_type, result.read, result.loaded) == ("openai", "usage", 4, 4)
    # prompt 1200 + 850 + 64 + 512; completion 300 + 2400 + 16 + 0; cached 1024; reasoning 1792
    assert query(db, f"select {TOKENS} from raw.usage_events")[0] == (2626, 2716, 1024, 0, 1792, 4)
    row = query(
        db,
        "select model, provider, message_id, finish_reason, occurred_at::varchar from raw.usage_events "
        "where event_id = 'oa-0003'",
    )[0]
    # The envelope's provider/model (an Azure deployment name) win over the response's model.
    assert row == ("prod-gpt4o-mini-eastus", "azure", "chatcmpl-AqX3", "length", "2025-01-15 13:02:00+00")
    assert query(db, "select status, error_type from raw.usage_events where event_id = 'oa-0004'")[0] == (
        "error",
        "rate_limit_error",
    )


def test_anthropic_input_tokens_add_cache_reads_and_writes(tmp_path: Path) -> None:
    db, report = _load(tmp_path, FIXTURES / "anthropic" / "messages.jsonl")
    assert report.files[0].adapter == "anthropic"
    # The design's example: 100 + 900 + 50 -> 1050.
    assert query(db, "select input_tokens, output_tokens from raw.usage_events where event_id = 'an-0001'")[0] == (
        1050,
        200,
    )
    # inputs 1050 + 2048 + (30 + 0 + 1200); outputs 200 + 4096 + 75; reads 900; writes 50 + 1200
    assert query(db, f"select {TOKENS} from raw.usage_events")[0] == (4328, 4371, 900, 1250, 0, 3)
    assert query(db, "select provider, model from raw.usage_events where event_id = 'an-0003'")[0] == (
        "bedrock",
        "anthropic.claude-3-haiku-20240307-v1:0",
    )


def test_gemini_thoughts_are_added_to_candidates(tmp_path: Path) -> None:
    db, report = _load(tmp_path, FIXTURES / "gemini" / "generate_content.jsonl")
    assert report.files[0].adapter == "gemini"
    # output = candidates + thoughts: (400 + 400) + (10 + 0); reasoning 400; prompt includes the cached 1024
    assert query(db, f"select {TOKENS} from raw.usage_events")[0] == (1590, 810, 1024, 0, 400, 2)
    assert query(db, "select provider, model from raw.usage_events where event_id = 'gm-0001'")[0] == (
        "google",
        "gemini-1.5-pro-002",
    )


def test_gemini_sums_match_polars(tmp_path: Path) -> None:
    path = FIXTURES / "gemini" / "generate_content.jsonl"
    frame = pl.read_ndjson(path).unnest("response").unnest("usageMetadata")
    expected_output = (frame["candidatesTokenCount"].fill_null(0) + frame["thoughtsTokenCount"].fill_null(0)).sum()
    db, _ = _load(tmp_path, path)
    assert query(db, "select sum(output_tokens) from raw.usage_events")[0][0] == expected_output


def test_otel_genai_spans(tmp_path: Path) -> None:
    db, report = _load(tmp_path, FIXTURES / "otel")
    assert {(f.adapter, f.read, f.loaded) for f in report.files} == {("otel", 3, 3), ("otel", 1, 1)}
    # The HTTP span has no gen_ai.* attribute: not an LLM call. inputs 1200 + 5000 + 700 + 900,
    # outputs 350 + 120 + 0 + 45, cache read 4000, cache write 500.
    assert query(db, f"select {TOKENS} from raw.usage_events")[0] == (7800, 515, 4000, 500, 0, 4)
    first = query(
        db,
        "select occurred_at::varchar, latency_ms, workspace_id, user_id, provider, model, operation, "
        "conversation_id, message_id, finish_reason from raw.usage_events "
        "where event_id = '5b8efff798038103d269b633813fc60c:eee19b7ec3c1b174'",
    )[0]
    assert first == (
        "2025-02-03 10:00:00+00",
        1250.0,
        "ws-otel",  # from the resource attributes
        "u-ines",
        "openai",  # older gen_ai.system
        "gpt-4o-2024-08-06",  # response model wins over request model
        "chat",
        "conv-otel-1",
        "chatcmpl-otel-1",
        "stop",
    )
    error = query(db, "select status, error_type, user_id from raw.usage_events where status = 'error'")
    assert error == [("error", "timeout", "u-jonas")]  # user.id from the resource
    assert query(db, "select provider from raw.usage_events where event_id = 'otel-evt-explicit-1'")[0][0] == "google"


def test_litellm_spend_logs_jsonl(tmp_path: Path) -> None:
    path = FIXTURES / "litellm" / "spend_logs.jsonl"
    db, report = _load(tmp_path, path)
    assert (report.files[0].adapter, report.files[0].loaded) == ("litellm", 4)
    # prompt 300 + 6000 + 130 + 0; completion 120 + 500 + 0 + 0; cached 128 + 4000; cache writes 1000
    assert query(db, f"select {TOKENS} from raw.usage_events")[0] == (6430, 620, 4128, 1000, 0, 4)
    # spend -> provider_cost_usd, exact decimals from the JSON text
    expected_spend = sum(Decimal(str(json.loads(line)["spend"])) for line in path.read_text().splitlines())
    assert query(db, "select sum(provider_cost_usd) from raw.usage_events")[0][0] == expected_spend
    row = query(
        db,
        "select workspace_id, user_id, conversation_id, latency_ms, time_to_first_token_ms, tags, operation "
        "from raw.usage_events where event_id = 'chatcmpl-ll-0001'",
    )[0]
    assert row == ("team-umbrella", "u-felipe", "sess-9", 2500.0, 400.0, ["prod", "support-bot"], "chat")
    assert query(db, "select user_id from raw.usage_events where event_id = 'chatcmpl-ll-0002'")[0][0] == "customer-42"
    assert query(
        db,
        "select status, operation from raw.usage_events where event_id in ('chatcmpl-ll-0003', "
        "'chatcmpl-ll-0004') order by event_id",
    ) == [("success", "embeddings"), ("error", "chat")]


def test_litellm_spend_logs_csv(tmp_path: Path) -> None:
    path = FIXTURES / "litellm" / "spend_logs.csv"
    frame = pl.read_csv(path)
    db, report = _load(tmp_path, path)
    assert report.files[0].adapter == "litellm"
    assert query(
        db, "select sum(input_tokens), sum(output_tokens), sum(cache_read_input_tokens) from raw.usage_events"
    )[0] == (frame["prompt_tokens"].sum(), frame["completion_tokens"].sum(), 1024)


def test_canonical_formats_and_exact_money(tmp_path: Path) -> None:
    db, report = _load(tmp_path, FIXTURES / "canonical")
    kinds = {Path(f.file).name: (f.adapter, f.record_type, f.loaded, f.quarantined) for f in report.files}
    assert kinds == {
        "usage_events.jsonl": ("canonical", "usage", 5, 0),
        "usage_events.csv.gz": ("canonical", "usage", 3, 0),
        "usage_events.parquet": ("canonical", "usage", 2, 0),
        "feedback_events.jsonl": ("canonical", "feedback", 4, 0),
        "workspaces.csv": ("canonical", "workspace", 3, 0),
        "users.jsonl.gz": ("canonical", "user", 3, 0),
    }
    money = dict(
        query(db, "select event_id, provider_cost_usd from raw.usage_events where provider_cost_usd is not null")
    )
    assert money["c-0001"] == Decimal("0.1")  # JSON number 0.1 stays exactly 0.1
    assert money["csv-0001"] == Decimal("0.000123456789")
    assert money["pq-0002"] == Decimal("0.1")
    # Offsets are converted to UTC; a zone-less CSV timestamp is UTC.
    times = dict(query(db, "select event_id, occurred_at::varchar from raw.usage_events"))
    assert times["c-0002"] == "2025-01-05 12:30:00+00"
    assert times["c-0003"] == "2025-01-05 18:45:00+00"
    assert times["csv-0002"] == "2025-02-01 09:05:00+00"
    assert times["csv-0003"] == "2025-02-01 11:00:00+00"
    tags = dict(query(db, "select event_id, tags from raw.usage_events where tags is not null"))
    assert tags == {
        "c-0001": ["prod", "rag"],
        "c-0004": ["batch"],
        "csv-0001": ["prod", "batch"],
        "csv-0003": ["long-context"],
        "pq-0001": ["prod"],
    }
    canonical_input = pl.read_ndjson(FIXTURES / "canonical" / "usage_events.jsonl")["input_tokens"].sum()
    csv_input = pl.read_csv(FIXTURES / "canonical" / "usage_events.csv.gz")["input_tokens"].sum()
    parquet_input = pl.read_parquet(FIXTURES / "canonical" / "usage_events.parquet")["input_tokens"].sum()
    assert (
        query(db, "select sum(input_tokens) from raw.usage_events")[0][0] == canonical_input + csv_input + parquet_input
    )
    assert query(db, "select plan, monthly_budget_usd, timezone from raw.workspaces where workspace_id = 'ws-initech'")[
        0
    ] == ("starter", Decimal("200.50"), "UTC")


@pytest.mark.parametrize("adapter", ["openai", "anthropic", "gemini"])
def test_forced_adapter(tmp_path: Path, adapter: str) -> None:
    folder = {"openai": "openai", "anthropic": "anthropic", "gemini": "gemini"}[adapter]
    path = next((FIXTURES / folder).glob("*.jsonl"))
    _, report = _load(tmp_path, path, adapter=adapter)
    assert report.ok and report.files[0].adapter == adapter and report.files[0].quarantined == 0


def test_unknown_shape_fails_the_file_not_the_run(tmp_path: Path) -> None:
    odd = tmp_path / "landing" / "mystery.jsonl"
    odd.parent.mkdir()
    odd.write_text('{"foo": 1}\n')
    good = FIXTURES / "gemini" / "generate_content.jsonl"
    _, report = _load(tmp_path, odd, good)
    assert not report.ok
    assert report.by_file("mystery.jsonl").error is not None and "--adapter" in report.by_file("mystery.jsonl").error
    assert report.by_file("generate_content.jsonl").loaded == 2
