"""The real Azure LLM inference trace (CC-BY-4.0) loads completely, with the CSV's own token sums."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.load import ingest_paths
from tests.support.ingest import query, quiet
from tests.support.paths import PROJECT_DIR

TRACE = PROJECT_DIR / "examples" / "azure_llm_inference_2023"


def test_both_files_load_with_the_csv_sums(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    report = ingest_paths(db, [TRACE], progress=quiet)
    assert report.ok and {f.adapter for f in report.files} == {"azure_trace"}
    for name, workspace, model in (
        ("AzureLLMInferenceTrace_conv.csv", "azure-conv", "gpt-4o-mini"),
        ("AzureLLMInferenceTrace_code.csv", "azure-code", "gpt-4o"),
    ):
        csv = pl.read_csv(TRACE / name)
        result = report.by_file(name)
        assert (result.read, result.loaded, result.quarantined) == (csv.height, csv.height, 0)
        loaded = query(
            db,
            "select count(*), sum(input_tokens), sum(output_tokens), count(distinct event_id), "
            "count(distinct user_id), min(occurred_at)::varchar, max(occurred_at)::varchar, "
            "any_value(model), "
            "any_value(provider) from raw.usage_events where workspace_id = ?",
            [workspace],
        )[0]
        times = csv["TIMESTAMP"].str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us")
        assert loaded[:4] == (
            csv.height,
            csv["ContextTokens"].sum(),
            csv["GeneratedTokens"].sum(),
            csv.height,
        )
        assert loaded[4] == 50
        assert loaded[5].startswith(times.min().strftime("%Y-%m-%d %H:%M:%S"))
        assert loaded[6].startswith(times.max().strftime("%Y-%m-%d %H:%M:%S"))
        assert loaded[7:] == (model, "azure")
    assert (TRACE / "ATTRIBUTION.md").read_text().count("CC-BY-4.0") >= 1


def test_event_ids_are_deterministic(tmp_path: Path) -> None:
    first = tmp_path / "a.duckdb"
    second = tmp_path / "b.duckdb"
    ingest_paths(first, [TRACE / "AzureLLMInferenceTrace_code.csv"], progress=quiet)
    ingest_paths(second, [TRACE / "AzureLLMInferenceTrace_code.csv"], progress=quiet)
    sql = "select event_id, user_id, input_tokens from raw.usage_events order by event_id"
    assert query(first, sql) == query(second, sql)
    assert query(first, "select event_id from raw.usage_events where source_line = 2") == [("azure-code-2",)]
