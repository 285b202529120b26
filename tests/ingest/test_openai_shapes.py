"""OpenAI Chat Completions, the APIs compatible with it, and the Responses / Images / Audio usage, from public samples
(tests/fixtures/ingest/openai_compatible/README.md, openai_responses/README.md). Expected values are read off the
fixture files by hand (the arithmetic is in the comments), never from the loader."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.ingest.shapes import FIXTURES, load, query, reasons, rows, shape_rows

CHAT = FIXTURES / "openai_compatible" / "chat_completions.jsonl"
RESPONSES = FIXTURES / "openai_responses" / "responses.jsonl"


def test_chat_completions_provider_comes_from_the_record(tmp_path: Path) -> None:
    _, got = shape_rows(tmp_path, CHAT, "openai", loaded=7)
    # (provider, model, operation, input, output, cache read, cache write, of which 1h, reasoning)
    assert got == {
        # the OpenAI docs example: prompt 19, completion 10
        "oc-openai-docs": ("openai", "gpt-5.4", "chat", 19, 10, 0, 0, 0, 0),
        # prompt_filter_results -> azure; completion 1843 includes reasoning 448
        "oc-azure-docs": ("azure", "o1-preview-2024-09-12", "chat", 20, 1843, 0, 0, 0, 448),
        # prompt_cache_hit_tokens present -> deepseek; completion 92 includes reasoning 81
        "oc-deepseek": ("deepseek", "deepseek-reasoner", "chat", 6, 92, 0, 0, 0, 81),
        # x_groq -> groq
        "oc-groq": ("groq", "llama-3.3-70b-versatile", "chat", 86, 220, 0, 0, 0, 0),
        # no gateway field; the model name says mistral
        "oc-mistral": ("mistral", "mistral-large-latest", "chat", 34, 100, 0, 0, 0, 0),
        # usage.cost -> openrouter; prompt 194 includes the 100 cache-write tokens
        "oc-openrouter-docs": ("openrouter", "anthropic/claude-sonnet-4.5", "chat", 194, 2, 0, 100, 0, 0),
        # an embeddings list: prompt 8, no completion -> output 0
        "oc-embeddings-docs": ("openai", "text-embedding-ada-002", "embeddings", 8, 0, 0, 0, 0, 0),
    }


def test_openrouter_cost_is_the_provider_reported_cost(tmp_path: Path) -> None:
    db, _ = load(tmp_path, CHAT)
    costs = query(db, "select event_id, provider_cost_usd from raw.usage_events where provider_cost_usd is not null")
    costs = dict(costs)
    assert costs == {"oc-openrouter-docs": Decimal("0.95")}  # usage.cost 0.95, the JSON text kept exactly


def test_finish_reasons_and_message_ids(tmp_path: Path) -> None:
    db, _ = load(tmp_path, CHAT)
    got = dict(query(db, "select event_id, finish_reason || ' ' || coalesce(message_id, '-') from raw.usage_events"))
    assert got["oc-mistral"] == "length b5899875951449e9a2997246a3a54d21"
    assert got["oc-azure-docs"] == "stop chatcmpl-AEj7pKFoiTqDPHuxOcirA9KIvf3yz"


def test_responses_usage_is_read_as_inclusive_openai_counts(tmp_path: Path) -> None:
    # usage.input_tokens / output_tokens also exist in Anthropic's usage: the Responses markers decide.
    db, got = shape_rows(tmp_path, RESPONSES, "openai_responses", loaded=5)
    assert got == {
        # cassette: input 14 (cached 0, cache writes 0), output 50
        "or-cassette": ("openai", "gpt-4o-mini-2024-07-18", "chat", 14, 50, 0, 0, 0, 0),
        # reasoning guide: output 1186 includes reasoning 1024 (not 1186 + 1024 as Anthropic-style adding would give)
        "or-reasoning-guide": ("openai", "gpt-5", "chat", 75, 1186, 0, 0, 0, 1024),
        # response.completed event: the response under the event's `response`: 37 in, 11 out
        "or-stream-completed": ("openai", "gpt-5.4", "chat", 37, 11, 0, 0, 0, 0),
        # Images: input 50 (10 text + 40 image), output 50
        "or-image-docs": ("openai", "gpt-image-1.5", "image_generation", 50, 50, 0, 0, 0, 0),
        # Transcription: input 14 audio tokens, output 45
        "or-transcription-docs": ("openai", "gpt-4o-transcribe", "audio_transcription", 14, 45, 0, 0, 0, 0),
    }
    assert dict(query(db, "select event_id, message_id from raw.usage_events where message_id is not null")) == {
        "or-cassette": "resp_689a0b2545288193953c892439b42e2800b2e36c65a1fd4b",
        "or-stream-completed": "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654",
    }


def test_forcing_the_chat_adapter_on_responses_quarantines_instead_of_loading_zero(tmp_path: Path) -> None:
    db, report = load(tmp_path, RESPONSES, adapter="openai")
    result = report.files[0]
    assert (result.read, result.loaded, result.quarantined) == (5, 0, 5)
    assert {code for _, code in reasons(db)} == {"no_token_counts"}
    message = query(db, "select reason_message from raw.quarantine limit 1")[0][0]
    assert "response.usage.prompt_tokens" in message and "--adapter" in message


def test_a_mixed_file_reads_only_the_records_of_its_shape(tmp_path: Path) -> None:
    # An Anthropic Message and a Responses object in one file: both show usage.input_tokens. The sample matches
    # openai_responses first (object "response"), and the Anthropic record, whose input_tokens exclude its cache
    # tokens, is quarantined rather than read with the Responses meaning.
    mixed = tmp_path / "mixed.jsonl"
    anthropic_line = (FIXTURES / "anthropic_messages" / "messages.jsonl").read_text().splitlines()[2]
    responses_line = RESPONSES.read_text().splitlines()[0]
    mixed.write_text(anthropic_line + "\n" + responses_line + "\n")
    db, report = load(tmp_path, mixed)
    assert report.files[0].adapter == "openai_responses"
    assert reasons(db) == [(1, "no_token_counts")]
    assert list(rows(db)) == ["or-cassette"]


def test_mistral_cached_tokens_are_cache_reads(tmp_path: Path) -> None:
    # The Mistral sample with the UsageInfo field `num_cached_tokens` (mistralai/client-python
    # docs/models/usageinfodollardefs.md) set: the sample has none cached, so the value here is ours.
    record = next(json.loads(line) for line in CHAT.read_text().splitlines() if '"oc-mistral"' in line)
    record["response"]["usage"]["num_cached_tokens"] = 20
    path = tmp_path / "mistral.jsonl"
    path.write_text(json.dumps(record) + "\n")
    db, _ = load(tmp_path, path)
    assert rows(db)["oc-mistral"] == ("mistral", "mistral-large-latest", "chat", 34, 100, 20, 0, 0, 0)
