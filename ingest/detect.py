"""Which adapter and record type a file holds.

Rule (first match wins; `--adapter` skips it, though the canonical adapter still detects its record type):
1. Content: the keys of the first 200 parseable records (JSON keys, CSV header, Parquet columns):
   `resourceSpans` → otel; `response.usageMetadata` → gemini; `response.usage.prompt_tokens` → openai;
   `response.usage.input_tokens` → anthropic; `request_id` + `spend` → litellm; `TIMESTAMP` + `ContextTokens`
   + `GeneratedTokens` → azure_trace; otherwise canonical with `feedback_id` → feedback, `event_id` → usage,
   `user_id` → user, `workspace_id` → workspace.
2. File name, when no record can be parsed: the name's first word (`usage`/`events`, `feedback`,
   `workspace(s)`, `user(s)`) picks the canonical record type.
3. Otherwise the file cannot be processed: the report names it and says to pass `--adapter`.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from ingest.errors import UserError
from ingest.readers import SourceInfo

SAMPLE = 200

_NAME_HINTS = {
    "usage": "usage",
    "events": "usage",
    "feedback": "feedback",
    "feedbacks": "feedback",
    "workspace": "workspace",
    "workspaces": "workspace",
    "user": "user",
    "users": "user",
}


def sample_keys(con: duckdb.DuckDBPyConnection, source: SourceInfo) -> set[str]:
    """Top-level keys plus `response.*` and `response.usage.*` keys (JSON) or column names (CSV/Parquet)."""
    if not source.is_json:
        return {name for name in source.columns if name not in ("_line", "_raw")}
    rows = con.execute(
        f"""
        with sample as (
            select _raw from _src where starts_with(ltrim(_raw), '{{') and json_valid(_raw) limit {SAMPLE}
        )
        select distinct k from (
            select unnest(json_keys(_raw)) as k from sample
            union all select 'response.' || unnest(json_keys(_raw, '$.response')) from sample
                where json_type(_raw, '$.response') = 'OBJECT'
            union all select 'response.usage.' || unnest(json_keys(_raw, '$.response.usage')) from sample
                where json_type(_raw, '$.response.usage') = 'OBJECT'
        )
        """
    ).fetchall()
    return {row[0] for row in rows}


def adapter_for_keys(keys: set[str]) -> str | None:
    if "resourceSpans" in keys:
        return "otel"
    if "response.usageMetadata" in keys:
        return "gemini"
    if "response.usage.prompt_tokens" in keys:
        return "openai"
    if "response.usage.input_tokens" in keys:
        return "anthropic"
    if {"request_id", "spend"} <= keys:
        return "litellm"
    if {"TIMESTAMP", "ContextTokens", "GeneratedTokens"} <= keys:
        return "azure_trace"
    if keys & {"feedback_id", "event_id", "user_id", "workspace_id"}:
        return "canonical"
    return None


def canonical_record_type(keys: set[str]) -> str | None:
    for key, record_type in (
        ("feedback_id", "feedback"),
        ("event_id", "usage"),
        ("user_id", "user"),
        ("workspace_id", "workspace"),
    ):
        if key in keys:
            return record_type
    return None


def record_type_from_name(path: Path) -> str | None:
    first_word = re.split(r"[^a-z]+", path.name.lower())[0]
    return _NAME_HINTS.get(first_word)


def detect(
    con: duckdb.DuckDBPyConnection,
    source: SourceInfo,
    forced_adapter: str | None,
    record_type_of: dict[str, str | None],
) -> tuple[str, str]:
    """(adapter name, record type) for the file behind `_src`; raises UserError when it cannot tell."""
    keys = sample_keys(con, source)
    adapter = forced_adapter or adapter_for_keys(keys) or ("canonical" if record_type_from_name(source.path) else None)
    if adapter is None:
        raise UserError(
            f"{source.path}: cannot tell what this file holds (keys seen: {sorted(keys)[:12]}); "
            "pass --adapter (see docs/ingest.md) or rename it usage_*/feedback_*/workspaces_*/users_*"
        )
    record_type = record_type_of.get(adapter)
    if record_type is None:
        record_type = canonical_record_type(keys) or record_type_from_name(source.path)
    if record_type is None:
        raise UserError(
            f"{source.path}: canonical records but no feedback_id/event_id/user_id/workspace_id key; "
            "rename the file usage_*/feedback_*/workspaces_*/users_* or fix the records"
        )
    return adapter, record_type
