"""Records exported by observability tools and gateways: OpenTelemetry GenAI spans (current and legacy attribute
names), LiteLLM's /spend/logs array, Langfuse observations and Helicone requests. None carries this product's
workspace id, so they load with --workspace (attribution) and are quarantined with the actionable reason without it.
Expected values are read off the fixtures by hand (comments)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from ingest.attribution import Attribution
from tests.ingest.shapes import FIXTURES, load, query, reasons, rows, shape_rows

SPANS = FIXTURES / "otel_genai" / "spans_as_exported.jsonl"
SPEND_LOGS = FIXTURES / "litellm_spend_logs" / "spend_logs.json"
LANGFUSE = FIXTURES / "langfuse_observations" / "observations_page.json"
HELICONE = FIXTURES / "helicone_requests" / "requests_export.json"
WORKSPACE = Attribution(workspace="ws-imported")


def test_otel_spans_as_exported_need_a_workspace(tmp_path: Path) -> None:
    db, report = load(tmp_path, SPANS)
    result = report.files[0]
    # three GenAI spans (the HTTP span of line 2 is not an LLM call, so not a record)
    assert (result.adapter, result.read, result.loaded, result.quarantined) == ("otel", 3, 0, 3)
    assert {code for _, code in reasons(db)} == {"missing_attribution"}
    message = query(db, "select reason_message from raw.quarantine limit 1")[0][0]
    assert message.startswith("no workspace_id for this record") and "--workspace" in message


def test_otel_current_and_legacy_names_with_provider_names_normalised(tmp_path: Path) -> None:
    db, report = load(tmp_path, SPANS, attribution=WORKSPACE)
    assert (report.files[0].loaded, report.files[0].quarantined) == (3, 0)
    by_model = {value[1]: value for value in rows(db).values()}
    assert by_model == {
        # gen_ai.provider.name "openai"; gen_ai.usage.input_tokens 12 / output_tokens 5
        "gpt-4o-mini-2024-07-18": ("openai", "gpt-4o-mini-2024-07-18", "chat", 12, 5, 0, 0, 0, 0),
        # legacy: gen_ai.system "Anthropic" -> anthropic; gen_ai.usage.prompt_tokens 17 / completion_tokens 220
        "claude-3-opus-20240229": ("anthropic", "claude-3-opus-20240229", "chat", 17, 220, 0, 0, 0, 0),
        # gen_ai.system "aws.bedrock" -> bedrock
        "amazon.titan-text-lite-v1": ("bedrock", "amazon.titan-text-lite-v1", "chat", 8, 10, 0, 0, 0, 0),
    }
    ids = query(
        db,
        "select model, workspace_id, user_id, conversation_id, latency_ms from raw.usage_events order by model",
    )
    assert ids == [
        # no user attribute: the resource's service.name is the calling user
        ("amazon.titan-text-lite-v1", "ws-imported", "otel-botocore-tests", None, 608.0),  # 753.000 - 752.392 s
        ("claude-3-opus-20240229", "ws-imported", "joke-bot", None, 5000.0),  # 5 s span
        ("gpt-4o-mini-2024-07-18", "ws-imported", "u-otel-1", "sess-otel-1", 287.0),  # user.id, session.id
    ]


def test_otel_attribution_rule_on_a_resource_attribute(tmp_path: Path) -> None:
    attribution = tmp_path / "attribution.toml"
    attribution.write_text(
        'workspace = "ws-default"\n'
        '[[rule]]\nattribute = "service.name"\nequals = "joke-bot"\nworkspace = "ws-jokes"\nuser = "svc-jokes"\n'
    )
    db, _ = load(tmp_path, SPANS, attribution=Attribution.load(attribution))
    assert dict(query(db, "select model, workspace_id || '/' || user_id from raw.usage_events")) == {
        "claude-3-opus-20240229": "ws-jokes/svc-jokes",  # the rule wins over the record's own user (service.name)
        "gpt-4o-mini-2024-07-18": "ws-default/u-otel-1",
        "amazon.titan-text-lite-v1": "ws-default/otel-botocore-tests",
    }


def test_litellm_spend_logs_array_with_string_metadata(tmp_path: Path) -> None:
    _, report = load(tmp_path, SPEND_LOGS)
    assert (report.files[0].adapter, report.files[0].read, report.files[0].quarantined) == ("litellm", 2, 2)
    db, report = load(tmp_path / "with", SPEND_LOGS, attribution=WORKSPACE)
    assert (report.files[0].loaded, report.files[0].quarantined) == (2, 0)
    assert rows(db) == {
        "chatcmpl-34df56d5-4807-45c1-bb99-61e52586b802": ("openai", "gpt-4o", "chat", 10, 20, 0, 0, 0, 0),
        "chatcmpl-34df56d5-4807-45c1-bb99-61e52586b803": (
            "anthropic",
            "claude-3-7-sonnet-20250219",
            "chat",
            2095,
            503,
            0,
            0,
            0,
            0,
        ),
    }
    details = query(
        db,
        "select latency_ms, time_to_first_token_ms, user_id, conversation_id, provider_cost_usd, "
        "json_extract_string(metadata, '$.usage_object.total_tokens') from raw.usage_events order by event_id",
    )
    # 22:02:42.989132 - 22:02:42.975883 = 13 249 microseconds = 13.249 ms (whole milliseconds would give 14 or 13)
    # spend as its JSON text, at the contract's 18 decimal places (0.00022500000000000002 -> 0.000225)
    spend = [Decimal(str(row["spend"])).quantize(Decimal("1e-18")) for row in json.loads(SPEND_LOGS.read_text())]
    assert details == [
        (13.249, 13.249, "test_user_1", "1234567890", spend[0], "30"),
        (13.249, 13.249, "test_user_1", None, spend[1], "2598"),  # metadata, a JSON string, is parsed
    ]


def test_litellm_attribution_by_team_and_key(tmp_path: Path) -> None:
    rows_ = json.loads(SPEND_LOGS.read_text())
    rows_[0]["team_id"] = "e8d1460f-846c-45d7-9b43-55f3cc52ac32"
    rows_[1]["end_user"] = ""
    rows_[1]["api_key"] = "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b"
    path = tmp_path / "spend_logs.json"
    path.write_text(json.dumps(rows_))
    mapping = tmp_path / "attribution.json"
    mapping.write_text(
        json.dumps({"rule": [{"attribute": "team_id", "equals": rows_[0]["team_id"], "workspace": "ws-acme"}]})
    )
    db, report = load(tmp_path, path, attribution=Attribution.load(mapping).with_defaults("ws-rest", None))
    assert report.files[0].quarantined == 0
    assert query(db, "select workspace_id, user_id from raw.usage_events order by event_id") == [
        ("ws-acme", "test_user_1"),
        ("ws-rest", rows_[1]["api_key"]),  # no end_user or user: the hashed key is the caller
    ]


def test_langfuse_observations_page(tmp_path: Path) -> None:
    # five observations, one SPAN (not a call): four records
    db, got = shape_rows(tmp_path, LANGFUSE, "langfuse", loaded=4, attribution=WORKSPACE)
    assert got == {
        # exclusive buckets: input 10 + input_cached_tokens 90 = 100; output 5 + output_reasoning_tokens 15 = 20
        "obs-gen-1": ("openai", "gpt-4o-2024-08-06", "chat", 100, 20, 90, 0, 0, 15),
        "obs-emb-1": ("openai", "text-embedding-3-small", "embeddings", 12, 0, 0, 0, 0, 0),
        # failed, no usage: kept with NULL counts (unpriced downstream), not 0/0
        "obs-gen-2": ("anthropic", "claude-3-5-haiku-20241022", "chat", None, None, 0, 0, 0, 0),
        # 200 + cache_read 1000 + cache_creation 300 = 1500
        "obs-gen-3": ("anthropic", "claude-3-5-haiku-20241022", "chat", 1500, 80, 1000, 300, 0, 0),
    }
    details = query(
        db,
        "select event_id, user_id, conversation_id, latency_ms, time_to_first_token_ms, status, provider_cost_usd "
        "from raw.usage_events order by event_id",
    )
    assert details == [
        ("obs-emb-1", "lf-user-7", "lf-session-3", 40.0, None, "success", None),
        # 10:00:02.350 - 10:00:00.000; completionStartTime 10:00:00.410; Langfuse's own cost is not provider-reported
        ("obs-gen-1", "lf-user-7", "lf-session-3", 2350.0, 410.0, "success", None),
        ("obs-gen-2", "lf-user-8", None, 120.0, None, "error", None),
        ("obs-gen-3", "lf-user-8", "lf-session-9", 3000.0, None, "success", Decimal("0.00064")),  # providedCostDetails
    ]


def test_helicone_requests_export(tmp_path: Path) -> None:
    db, got = shape_rows(tmp_path, HELICONE, "helicone", loaded=3, attribution=WORKSPACE)
    assert got == {
        # prompt 300 + cache read 1024 = 1324
        "h-req-1": ("openai", "gpt-4o-mini-2024-07-18", "chat", 1324, 256, 1024, 0, 0, 0),
        # prompt 100 + cache read 3000 + cache write 2000 = 5100
        "h-req-2": ("anthropic", "claude-3-5-sonnet-20241022", "chat", 5100, 200, 3000, 2000, 0, 0),
        # 429 without usage: an error with NULL counts
        "h-req-3": ("openai", "gpt-4o", "chat", None, None, 0, 0, 0, 0),
    }
    details = query(
        db,
        "select event_id, user_id, conversation_id, latency_ms, status, error_type, provider_cost_usd "
        "from raw.usage_events order by event_id",
    )
    assert details == [
        ("h-req-1", "h-user-1", "h-sess-1", 1734.0, "success", None, Decimal("0.000334")),
        ("h-req-2", "h-user-2", None, 2500.0, "success", None, Decimal("0.0114")),  # 08:05:02.500 - 08:05:00
        ("h-req-3", "h-user-1", None, 300.0, "error", "http_429", None),
    ]


def test_litellm_metadata_as_a_json_string_keeps_the_cache_breakdown(tmp_path: Path) -> None:
    # The same rows with `metadata` as the JSON *string* LiteLLM's SpendLogsPayload holds: the cache reads (128
    # and 4000) and writes (1000) inside metadata.usage_object are read as from an object.
    source = FIXTURES / "litellm" / "spend_logs.jsonl"
    records = [json.loads(line) for line in source.read_text().splitlines()]
    as_strings = tmp_path / "spend_strings.jsonl"
    as_strings.write_text("".join(json.dumps({**r, "metadata": json.dumps(r["metadata"])}) + "\n" for r in records))
    objects_db, _ = load(tmp_path / "objects", source)
    strings_db, _ = load(tmp_path / "strings", as_strings)
    totals = "select sum(cache_read_input_tokens), sum(cache_creation_input_tokens) from raw.usage_events"
    assert query(strings_db, totals) == query(objects_db, totals) == [(4128, 1000)]
