"""Anthropic Messages (1-hour cache writes, per-iteration usage, thinking, Claude on Bedrock InvokeModel), Bedrock
Converse and Gemini (REST and google-genai SDK dumps), from the public samples of the fixture READMEs. The expected
totals are worked out by hand from the fixture files (comments) or recomputed from them in Python."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ingest.shapes import FIXTURES, load, query, shape_rows

MESSAGES = FIXTURES / "anthropic_messages" / "messages.jsonl"
CONVERSE = FIXTURES / "bedrock_converse" / "converse.jsonl"
GEMINI = FIXTURES / "gemini_genai" / "generate_content.jsonl"
PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"


def test_anthropic_counts_are_made_inclusive(tmp_path: Path) -> None:
    _, got = shape_rows(tmp_path, MESSAGES, "anthropic", loaded=5)
    # (provider, model, operation, input, output, cache read, cache write, of which 1h, reasoning)
    assert got == {
        # 2048 uncached + 1800 read + 248 written = 4096; the 1-hour part of the 248 writes is 100
        "am-cache-1h-docs": ("anthropic", "claude-sonnet-4-5", "chat", 4096, 503, 1800, 248, 100, 0),
        # iterations: 180000 + 23000 = 203000 in, 3500 + 1000 = 4500 out (the top level, 23000/1000, is one of them)
        "am-compaction-docs": ("anthropic", "claude-opus-4-6", "chat", 203000, 4500, 0, 0, 0, 0),
        "am-sdk-cassette": ("anthropic", "claude-sonnet-4-5-20250929", "chat", 406, 50, 0, 0, 0, 0),
        # one iteration of 28 in / 106 out; 67 of the 106 output tokens were thinking
        "am-thinking-sdk-fixture": ("anthropic", "claude-fable-5", "chat", 28, 106, 0, 0, 0, 67),
        # msg_bdrk_ id -> bedrock; the envelope's model (the Bedrock model id) wins over the body's claude-2.0
        "am-bedrock-invoke": ("bedrock", "anthropic.claude-v2", "chat", 14, 10, 0, 0, 0, 0),
    }


def test_anthropic_inclusive_input_recomputed_from_the_file(tmp_path: Path) -> None:
    # Independently of the SQL: input = uncached + cache reads + cache writes, summed over the iterations if any.
    def inclusive(counts: dict) -> int:
        keys = ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
        return sum(counts.get(key) or 0 for key in keys)

    expected = {}
    for line in MESSAGES.read_text().splitlines():
        record = json.loads(line)
        usage = record["response"]["usage"]
        expected[record["event_id"]] = sum(map(inclusive, usage.get("iterations") or [usage]))
    db, _ = load(tmp_path, MESSAGES)
    assert dict(query(db, "select event_id, input_tokens from raw.usage_events")) == expected


def test_bedrock_converse_adds_cache_tokens_to_input(tmp_path: Path) -> None:
    db, got = shape_rows(tmp_path, CONVERSE, "bedrock_converse", loaded=2)
    assert got == {
        "bc-otel-cassette": ("bedrock", "amazon.titan-text-lite-v1", "chat", 8, 10, 0, 0, 0, 0),
        # inputTokens 100 + cacheRead 1200 + cacheWrite 300 = 1600 (= totalTokens 1650 - outputTokens 50);
        # cacheDetails: 200 of the 300 writes with ttl 1h
        "bc-cache-shape": ("bedrock", PROFILE, "chat", 1600, 50, 1200, 300, 200, 0),
    }
    latency = dict(query(db, "select event_id, latency_ms from raw.usage_events"))
    assert latency == {"bc-otel-cassette": 608.0, "bc-cache-shape": 1500.0}  # metrics.latencyMs


def test_gemini_rest_and_sdk_dumps(tmp_path: Path) -> None:
    _, got = shape_rows(tmp_path, GEMINI, "gemini", loaded=4)
    assert got == {
        # REST: prompt 8; output = candidates 339 + thoughts 2292 = 2631 (total 2639 = 8 + 2631)
        "gg-vertex-cassette": ("google", "gemini-2.5-flash", "chat", 8, 2631, 0, 0, 0, 2292),
        # SDK dump: input = prompt 22 (cached 16 inside) + tool-use prompt 303 = 325;
        # output = candidates 212 + thoughts 114 = 326; 325 + 326 = total 651
        "gg-sdk-tools-dump": ("google", "gemini-2.5-flash", "chat", 325, 326, 16, 0, 0, 114),
        # output = 1086 + 860 = 1946; 7 + 1946 = total 1953
        "gg-sdk-test-repr": ("google", "models/gemini-2.5-flash-preview-05-20", "chat", 7, 1946, 0, 0, 0, 860),
        # the cached 696190 are part of the prompt's 696219
        "gg-caching-docs": ("google", "models/gemini-2.0-flash-001", "chat", 696219, 214, 696190, 0, 0, 0),
    }


def test_gemini_totals_match_the_reported_total(tmp_path: Path) -> None:
    # Every sample reports totalTokenCount: input + output must equal it (or prompt + candidates when no thoughts).
    def total(line: str) -> int:
        response = json.loads(line)["response"]
        usage = response.get("usageMetadata") or response["usage_metadata"]
        return usage.get("totalTokenCount", usage.get("total_token_count"))

    expected = {json.loads(line)["event_id"]: total(line) for line in GEMINI.read_text().splitlines()}
    db, _ = load(tmp_path, GEMINI)
    assert dict(query(db, "select event_id, input_tokens + output_tokens from raw.usage_events")) == expected
