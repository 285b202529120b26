"""Detection reads the records (keys and discriminating values, JSON arrays and pages element by element), and a file
that no adapter recognises fails with the keys seen, the adapters tried and the flag that forces one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.adapters import registry
from tests.ingest.shapes import FIXTURES, load, query, rows

# Every JSONL fixture of a provider shape, with the adapter that must claim it.
JSONL_SHAPES = {
    FIXTURES / "openai_compatible" / "chat_completions.jsonl": "openai",
    FIXTURES / "openai_responses" / "responses.jsonl": "openai_responses",
    FIXTURES / "anthropic_messages" / "messages.jsonl": "anthropic",
    FIXTURES / "bedrock_converse" / "converse.jsonl": "bedrock_converse",
    FIXTURES / "gemini_genai" / "generate_content.jsonl": "gemini",
    FIXTURES / "otel_genai" / "spans_as_exported.jsonl": "otel",
    FIXTURES / "litellm" / "spend_logs.jsonl": "litellm",
    FIXTURES / "canonical" / "usage_events.jsonl": "canonical",
}
TOKENS = "select sum(input_tokens), sum(output_tokens), sum(cache_read_input_tokens), count(*) from raw.usage_events"


@pytest.mark.parametrize("path", list(JSONL_SHAPES), ids=lambda p: p.parent.name)
def test_a_json_array_of_the_records_loads_like_the_lines(tmp_path: Path, path: Path) -> None:
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    array = tmp_path / "landing" / (path.stem + ".json")
    array.parent.mkdir()
    array.write_text(json.dumps(records, indent=1))  # a pretty-printed array: one JSON document over many lines
    lines_db, lines_report = load(tmp_path / "lines", path, attribution=_workspace())
    array_db, array_report = load(tmp_path / "array", array, attribution=_workspace())
    assert array_report.files[0].adapter == JSONL_SHAPES[path] == lines_report.files[0].adapter
    assert array_report.files[0].read == lines_report.files[0].read
    assert query(array_db, TOKENS) == query(lines_db, TOKENS)
    assert rows(array_db) == rows(lines_db)


def test_a_page_of_records_is_read_element_by_element(tmp_path: Path) -> None:
    lines = (FIXTURES / "anthropic_messages" / "messages.jsonl").read_text().splitlines()
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"data": [json.loads(line) for line in lines], "meta": {"cursor": None}}))
    db, report = load(tmp_path, page)
    assert (report.files[0].adapter, report.files[0].read, report.files[0].loaded) == ("anthropic", 5, 5)
    # an array element's source_line is the line its array starts on
    assert {line for (line,) in query(db, "select distinct source_line from raw.usage_events")} == {1}


def test_unknown_records_fail_the_file_with_keys_adapters_and_flag(tmp_path: Path) -> None:
    odd = tmp_path / "export.json"
    odd.write_text(json.dumps([{"tokens_in": 5, "tokens_out": 7, "usage": {"in": 5}}, {"cost": 0.1}]))
    _, report = load(tmp_path, odd)
    error = report.files[0].error
    assert error is not None and str(odd) in error
    # keys of the array's elements, not of the array
    assert "[cost, tokens_in, tokens_out, usage]" in error
    for name in registry():
        assert f"{name}: " in error  # every adapter tried, with why not
    assert "otel: no resourceSpans" in error
    assert "openai: none of response.usage.prompt_tokens, response.usage.completion_tokens" in error
    assert "--adapter NAME" in error and "README.md#accepted-input-shapes" in error


def test_an_envelope_with_an_unknown_response_is_not_canonical(tmp_path: Path) -> None:
    # event_id etc. with a response no adapter knows: not loaded as a 0-token canonical event, the file fails.
    envelope = tmp_path / "usage_wrapped.jsonl"
    record = {"event_id": "e1", "occurred_at": "2025-01-01T00:00:00Z", "workspace_id": "w", "user_id": "u"}
    envelope.write_text(json.dumps({**record, "model": "m", "response": {"tokens": {"in": 3, "out": 4}}}) + "\n")
    _, report = load(tmp_path, envelope)
    error = report.files[0].error
    assert error is not None and "response.tokens" in error and "canonical: has response" in error


def test_a_canonical_record_without_counts_is_quarantined_not_loaded_as_zero(tmp_path: Path) -> None:
    usage = tmp_path / "usage_mixed.jsonl"
    base = {"occurred_at": "2025-01-01T00:00:00Z", "workspace_id": "w", "user_id": "u", "provider": "openai"}
    usage.write_text(
        json.dumps({**base, "event_id": "with", "model": "gpt-4o", "input_tokens": 3, "output_tokens": 4})
        + "\n"
        # a record whose usage arrived in a shape the canonical adapter does not read
        + json.dumps({**base, "event_id": "odd", "model": "gpt-4o", "usage": {"total_tokens": 7}})
        + "\n"
        # a failed call without usage: kept, with NULL counts, so the cost engine marks it unpriced
        + json.dumps({**base, "event_id": "failed", "model": "gpt-4o", "status": "error", "error_type": "timeout"})
        + "\n"
    )
    db, report = load(tmp_path, usage)
    assert (report.files[0].adapter, report.files[0].loaded, report.files[0].quarantined) == ("canonical", 2, 1)
    assert query(db, "select source_line, reason_code from raw.quarantine") == [(2, "no_token_counts")]
    assert query(db, "select event_id, input_tokens, output_tokens from raw.usage_events order by event_id") == [
        ("failed", None, None),
        ("with", 3, 4),
    ]


def test_forcing_an_adapter_skips_detection(tmp_path: Path) -> None:
    db, report = load(tmp_path, FIXTURES / "gemini_genai" / "generate_content.jsonl", adapter="anthropic")
    assert (report.files[0].adapter, report.files[0].loaded, report.files[0].quarantined) == ("anthropic", 0, 4)
    assert {code for (code,) in query(db, "select reason_code from raw.quarantine")} == {"no_token_counts"}


def _workspace():
    from ingest.attribution import Attribution

    return Attribution(workspace="ws-array")
