"""The synthetic data set: deterministic, realistic in shape, and every file ingests and balances."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingest.load import ingest_paths
from synapscale.generate import GeneratorConfig, write_dataset
from tests.support.ingest import query, quiet

CACHING_MODELS = {
    "gpt-4o",
    "gpt-4o-2024-08-06",
    "openai/gpt-4o",
    "gpt-4o-mini",
    "openai/gpt-4o-mini",
    "claude-3-opus-20240229",
    "claude-3-haiku-20240307",
    "deepseek-chat",
}
CATALOG_RAW = {
    "gpt-4o",
    "gpt-4o-2024-08-06",
    "gpt-4o-mini",
    "gpt-4-turbo",
    "gpt-3.5-turbo",
    "claude-3-opus-20240229",
    "claude-3-sonnet-20240229",
    "claude-3-haiku-20240307",
    "gemini-1.5-pro",
    "gemini-1.5-flash",
    "grok-2",
    "deepseek-chat",
    "meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo",
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("generated")
    files = write_dataset(GeneratorConfig(events=120_000, seed=11), out)
    return out, files


def _usage(files: list[Path]) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(f) for f in files if f.name.startswith("usage_")])


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    for file_format in ("parquet", "jsonl"):
        config = GeneratorConfig(
            events=20_000,
            days=60,
            seed=3,
            file_format=file_format,
            bad_rate=0.01,
            duplicate_rate=0.01,
            late_rate=0.01,
        )
        first = write_dataset(config, tmp_path / f"a_{file_format}")
        second = write_dataset(config, tmp_path / f"b_{file_format}")
        assert [f.name for f in first] == [f.name for f in second]
        assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    other = write_dataset(GeneratorConfig(events=20_000, days=60, seed=4), tmp_path / "other")
    assert (tmp_path / "a_parquet" / "feedback.parquet").read_bytes() != (
        other[0].parent / "feedback.parquet"
    ).read_bytes()


def test_shape_looks_like_an_llm_saas(dataset: tuple[Path, list[Path]]) -> None:
    _, files = dataset
    usage = _usage(files)
    assert usage.height == 120_000
    days = usage["occurred_at"].dt.date()
    assert days.min() == date(2024, 8, 4) and days.max() == date(2025, 3, 31)  # spans the price changes
    # Zipf-like workspaces: the biggest is many times the median.
    sizes = usage["workspace_id"].value_counts()["count"].sort(descending=True)
    assert sizes[0] > 5 * sizes.median()
    # Weekly cycle: weekdays busier than weekends.
    weekday = usage.group_by(usage["occurred_at"].dt.weekday() >= 6).len().sort("occurred_at")["len"]
    assert weekday[0] / 5 > 1.5 * weekday[1] / 2
    # Growth: the last month is busier than the first full month.
    monthly = usage.group_by(usage["occurred_at"].dt.strftime("%Y-%m")).len().sort("occurred_at")["len"]
    assert monthly[-1] > monthly[1]
    models = set(usage["model"].unique())
    assert models >= CATALOG_RAW
    assert {
        "openai/gpt-4o-mini",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "us.anthropic.claude-3-opus-20240229-v1:0",
    } <= models
    unknown_share = (
        usage.filter(
            ~pl.col("model").is_in(
                list(
                    CATALOG_RAW
                    | CACHING_MODELS
                    | models - {"o1-mini", "mistral-large-latest", "ft:gpt-4o-mini:acme::9xQ2"}
                )
            )
        ).height
        / usage.height
    )
    assert 0.002 < unknown_share < 0.01
    assert usage.filter(pl.col("model") == "meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo")[
        "provider"
    ].unique().to_list() == ["together_ai"]
    cached = usage.filter((pl.col("cache_read_input_tokens") > 0) | (pl.col("cache_creation_input_tokens") > 0))
    assert cached.height > 0 and set(cached["model"].unique()) <= CACHING_MODELS
    assert set(usage.filter(pl.col("reasoning_output_tokens") > 0)["model"].unique()) == {"o1-mini"}
    error_rate = (usage["status"] == "error").mean()
    assert 0.01 <= error_rate <= 0.03
    assert (usage["cache_read_input_tokens"] + usage["cache_creation_input_tokens"] <= usage["input_tokens"]).all()
    # Latency grows with output; models differ.
    success = usage.filter(pl.col("status") == "success")
    assert pl.DataFrame({"a": success["latency_ms"], "b": success["output_tokens"]}).corr()[0, 1] > 0.3
    per_model = success.group_by("model").agg(pl.col("time_to_first_token_ms").median())
    assert per_model["time_to_first_token_ms"].max() > 2 * per_model["time_to_first_token_ms"].min()
    cost_share = usage["provider_cost_usd"].is_not_null().mean()
    assert 0.0 < cost_share < 0.3
    assert usage["tags"].is_not_null().mean() > 0.1
    conversation_sizes = usage["conversation_id"].value_counts()["count"]
    assert conversation_sizes.max() > 3 and conversation_sizes.mean() > 1.2
    # No model before its release (deepseek-chat: 2024-12-26).
    assert usage.filter(pl.col("model") == "deepseek-chat")["occurred_at"].dt.date().min() >= date(2024, 12, 26)


def test_feedback_and_snapshots(dataset: tuple[Path, list[Path]]) -> None:
    out, files = dataset
    usage = _usage(files)
    feedback = pl.read_parquet(out / "feedback.parquet")
    share = feedback["message_id"].n_unique() / usage.height
    assert 0.02 < share < 0.06
    assert set(feedback["kind"].unique()) == {"thumbs", "rating", "category"}
    assert feedback["feedback_id"].is_duplicated().any()  # re-sent versions
    assert feedback["message_id"].is_in(usage["message_id"].implode()).all()
    joined = feedback.filter(pl.col("kind") == "thumbs").join(usage.select("message_id", "model"), on="message_id")
    up = joined.group_by("model").agg((pl.col("value") == "up").mean().alias("up"), pl.len())
    up = up.filter(pl.col("len") > 40)
    assert up["up"].max() - up["up"].min() > 0.1  # quality differs per model
    workspaces = pl.read_parquet(out / "workspaces.parquet")
    assert "America/Sao_Paulo" in workspaces["timezone"].to_list()
    assert set(workspaces.columns) == {
        "workspace_id",
        "name",
        "plan",
        "monthly_budget_usd",
        "timezone",
        "created_at",
    }
    users = pl.read_parquet(out / "users.parquet")
    assert users.height == 360 and users["workspace_id"].is_in(workspaces["workspace_id"].implode()).all()


def test_clean_dataset_ingests_without_quarantine(dataset: tuple[Path, list[Path]], tmp_path: Path) -> None:
    out, files = dataset
    report = ingest_paths(tmp_path / "build.duckdb", [out], progress=quiet)
    assert report.ok and report.quarantined == 0 and report.duplicates == 0
    assert report.read == report.loaded == sum(pl.read_parquet(f).height for f in files)


@pytest.mark.parametrize("file_format", ["jsonl", "parquet"])
def test_rates_balance_per_file(tmp_path: Path, file_format: str) -> None:
    events = 10_000
    config = GeneratorConfig(
        events=events,
        days=20,
        seed=5,
        bad_rate=0.02,
        duplicate_rate=0.03,
        late_rate=0.02,
        file_format=file_format,
    )
    files = write_dataset(config, tmp_path / "landing")
    late = [f for f in files if f.name.startswith("usage_late_landed_")]
    assert late, "late records go to files named after the day they landed"
    db = tmp_path / "build.duckdb"
    report = ingest_paths(db, [tmp_path / "landing"], progress=quiet)
    assert report.ok
    for result in report.files:
        assert result.read == result.loaded + result.duplicates + result.quarantined, result.file
    assert report.quarantined == round(events * 0.02)
    assert report.duplicates == round(events * 0.03)
    assert query(db, "select count(distinct event_id) from raw.usage_events")[0][0] == events - round(events * 0.02)
    reasons = dict(query(db, "select reason_code, count(*) from raw.quarantine group by 1"))
    assert set(reasons) == {
        "negative_tokens",
        "cache_exceeds_input",
        "missing_field",
        "absurd_timestamp",
        "reasoning_exceeds_output",
        "invalid_value",
    }
    # The quarantine keeps each rejected record's raw text: the line as written (JSONL, recovered after the
    # fast read) or the row's values as JSON (Parquet).
    raw = query(
        db,
        "select raw_record, source_file, source_line from raw.quarantine order by source_file, source_line",
    )
    assert all(record.startswith("{") and '"event_id"' in record for record, _, _ in raw)
    if file_format == "jsonl":
        record, source_file, line = raw[0]
        assert record == Path(source_file).read_text().splitlines()[line - 1]
