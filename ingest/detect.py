"""Which adapter and record type a file holds.

Rule (`--adapter` skips steps 1-2, though the canonical adapter still detects its record type):
1. Content: the profile of the first SAMPLE parseable records (JSON arrays and pages of records count element by
   element, see readers.RECORDS_VIEW): their keys at the top level and under the nested objects of PROFILE_PATHS,
   plus `path=value` entries for the fields in VALUE_PATHS (CSV: the header; Parquet: the column names). The
   adapters are tried in registry order (adapters.registry) and the first whose signature matches wins; the
   order is the documented tie-break between shapes that share key names (docs/ingest.md, "Accepted input
   shapes"). The canonical adapter then picks the record type by the first key present: `feedback_id` ->
   feedback, `event_id` -> usage, `user_id` -> user, `workspace_id` -> workspace.
2. File name, when no record can be parsed at all: the name's first word (`usage`/`events`, `feedback`,
   `workspace(s)`, `user(s)`) picks the canonical record type, so the broken records are still quarantined.
3. Otherwise the file fails: the message names the keys seen, each adapter tried and why it did not match, and
   the `--adapter` flag.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from ingest.adapters import Adapter
from ingest.errors import UserError
from ingest.readers import SourceInfo

SAMPLE = 200
DOCS = "README.md#accepted-input-shapes"

# Nested objects whose keys are part of the profile (`response.usage.prompt_tokens`, ...).
PROFILE_PATHS = (
    "response",
    "response.usage",
    "response.response",
    "response.response.usage",
)
# Fields whose value is part of the profile (`response.object=response`): they tell shapes with alike keys apart.
VALUE_PATHS = ("object", "type", "response.object", "response.type")

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


def sample_profile(con: duckdb.DuckDBPyConnection, source: SourceInfo) -> set[str]:
    """Keys (and discriminating `path=value` entries) of the first SAMPLE parseable records, or the column names."""
    if not source.is_json:
        return {name for name in source.columns if name not in ("_line", "_item", "_raw")}
    nested = "\n".join(
        f"union all select '{path}.' || unnest(json_keys(_raw, '$.{path}')) from sample "
        f"where json_type(_raw, '$.{path}') = 'OBJECT'"
        for path in PROFILE_PATHS
    )
    values = "\n".join(
        f"union all select '{path}=' || json_extract_string(_raw, '$.{path}') from sample "
        f"where json_type(_raw, '$.{path}') = 'VARCHAR'"
        for path in VALUE_PATHS
    )
    rows = con.execute(
        f"""
        with sample as (
            select _raw from _src where starts_with(ltrim(_raw), '{{') and json_valid(_raw) limit {SAMPLE}
        )
        select distinct k from (
            select unnest(json_keys(_raw)) as k from sample
            {nested}
            {values}
        )
        """
    ).fetchall()
    return {row[0] for row in rows}


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


def adapter_for_profile(keys: set[str], adapters: dict[str, Adapter]) -> tuple[str | None, dict[str, str]]:
    """(the first adapter whose signature matches, or None; why each adapter tried before it did not)."""
    reasons: dict[str, str] = {}
    for name, adapter in adapters.items():
        why_not = adapter.signature.mismatch(keys)
        if why_not is None:
            return name, reasons
        reasons[name] = why_not
    return None, reasons


def _no_match(source: SourceInfo, keys: set[str], reasons: dict[str, str]) -> UserError:
    shown = sorted(keys)
    listed = ", ".join(shown[:40]) + (f", ... (+{len(shown) - 40} more)" if len(shown) > 40 else "")
    tried = "; ".join(f"{name}: {why}" for name, why in reasons.items())
    return UserError(
        f"{source.path}: no adapter recognises these records. Keys seen in the first records (arrays included): "
        f"[{listed}]. Adapters tried: {tried}. Pass --adapter NAME to force one (see {DOCS}), or rename the file "
        "usage_*/feedback_*/workspaces_*/users_* if it holds canonical records"
    )


def detect(
    con: duckdb.DuckDBPyConnection,
    source: SourceInfo,
    forced_adapter: str | None,
    adapters: dict[str, Adapter],
) -> tuple[str, str]:
    """(adapter name, record type) for the file behind `_src`; raises UserError when it cannot tell."""
    keys = sample_profile(con, source)
    adapter = forced_adapter
    if adapter is None:
        adapter, reasons = adapter_for_profile(keys, adapters)
        if adapter is None and not keys and record_type_from_name(source.path):
            adapter = "canonical"
        if adapter is None:
            raise _no_match(source, keys, reasons)
    record_type = adapters[adapter].record_type
    if record_type is None:
        record_type = canonical_record_type(keys) or record_type_from_name(source.path)
    if record_type is None:
        raise UserError(
            f"{source.path}: canonical records but no feedback_id/event_id/user_id/workspace_id key; "
            "rename the file usage_*/feedback_*/workspaces_*/users_* or fix the records"
        )
    return adapter, record_type
