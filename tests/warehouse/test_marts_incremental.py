"""The marts are rebuilt by whole day (or month) slices (macros/incremental.sql), core.usage_logs prices only
the calls loaded since its watermark (macros/usage.sql) and the core entity tables recompute only the keys the
new calls and feedback touch (macros/incremental.sql, rebuilt by key): after a history of incremental runs - new
months with late events and feedback about messages no call produced; then feedback moved to other messages;
then re-sent events, feedback landing after its calls, re-sent feedback with a new category or message, calls
for feedback-only messages, late calls of known messages that become their first call (another model, a
tag), a workspace snapshot that changes timezones and late events for a closed billing period; then a run with
nothing new - every core table and every mart of the cost, performance, trends, quality, data-quality and FOCUS
areas equals a full refresh of the same warehouse, row for row, and the run with nothing new rewrote no slice
and no entity row.

Ingest as the pipeline does it (ingest.load.ingest_paths), then `dbt run` as a subprocess (the models; their
tests run elsewhere), so the history takes a few dbt runs of a small generated data set.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.load import ingest_paths
from tests.support.datasets import write_history
from tests.support.warehouse import CORE_TABLES, run_dbt

MARTS = (
    "cost_hourly",
    "cost_daily",
    "cost_daily_by_user",
    "cost_daily_local",
    "cost_daily_user_totals",
    "cost_daily_local_by_model",
    "cost_daily_local_user_totals",
    "cost_daily_by_tag",
    "cache_savings_daily",
    "user_spend_monthly",
    "workspace_spend_forecast",
    "model_performance_daily",
    "model_provider_performance_daily",
    "model_errors_daily",
    "workspace_model_performance_daily",
    "workspace_trends_daily",
    "workspace_trends_weekly",
    "workspace_trends_monthly",
    "platform_trends_daily",
    "platform_trends_weekly",
    "platform_trends_monthly",
    "workspace_spend_anomalies",
    "model_quality_daily",
    "model_feedback_categories_daily",
    "workspace_model_feedback_daily",
    "model_quality_cost_monthly",
    "quarantine_daily",
    "unpriced_usage_daily",
    "unknown_models_daily",
    "usage_arrival_lateness_daily",
    "provider_cost_comparison_daily",
    "focus_charges",
    "token_mix_daily",
    "whatif_repricing_daily",
    "whatif_targets_daily",
)
# Rebuilt by slices (the others are small tables over them, rebuilt whole).
INCREMENTAL = tuple(
    mart
    for mart in MARTS
    if mart
    not in (
        "user_spend_monthly",
        "workspace_spend_forecast",
        "quarantine_daily",
        "workspace_spend_anomalies",
        *(f"{scope}_trends_{grain}" for scope in ("workspace", "platform") for grain in ("daily", "weekly", "monthly")),
    )
)
# Rebuilt by key: the run with nothing new must leave their rows where they are.
REBUILT_BY_KEY = ("messages", "conversations", "conversation_llms", "tags")
CLOSED = {"closed_billing_period": "2025-01-01"}
ORPHANS = 20  # feedback about messages no call produced (yet): msg_orphan_00 ... msg_orphan_19
LATE_FIRST_CALLS = 50  # late calls of known messages, a day before their first call, with another model


def _write(frame: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)
    return path


def _orphan_feedback(feedback: pl.DataFrame) -> pl.DataFrame:
    """Category feedback about ORPHANS messages no call produced: feedback-only messages."""
    orphans = feedback.filter(pl.col("kind") == "category").head(ORPHANS)
    numbers = pl.int_range(ORPHANS, eager=True).cast(pl.String).str.zfill(2)
    return orphans.with_columns(
        feedback_id="fb_orphan_" + numbers, message_id="msg_orphan_" + numbers, value=pl.lit("Orphan Label")
    )


def _moved_feedback(feedback: pl.DataFrame, messages: pl.Series, count: int, day: int) -> pl.DataFrame:
    """A newer version of each feedback (`day` days later), about the first `count` of `messages`, another category."""
    return feedback.head(count).with_columns(
        message_id=messages.head(count), created_at=pl.col("created_at") + pl.duration(days=day), value=pl.lit("Moved")
    )


def _calls_of_messages(usage: pl.DataFrame, messages: pl.Series) -> pl.DataFrame:
    """One new call for each of `messages`, copied from a known call (ids of their own)."""
    calls = usage.head(messages.len()).with_columns(message_id=messages)
    return calls.with_columns(event_id="evt_for_" + pl.col("message_id"))


def _late_first_calls(usage: pl.DataFrame) -> pl.DataFrame:
    """For LATE_FIRST_CALLS known messages, a call a day before their first one, with another model and a tag:
    late for a closed period, it becomes the message's first call and adds a model to its conversation."""
    called = usage.filter(pl.col("message_id").is_not_null() & (pl.col("occurred_at").dt.year() > 2000))
    called = called.sort("occurred_at")
    first = called.unique("message_id", keep="first", maintain_order=True).head(LATE_FIRST_CALLS)
    models = usage["model"].unique().sort()
    return first.with_columns(
        event_id="evt_late_first_" + pl.col("event_id"),
        occurred_at=pl.col("occurred_at") - pl.duration(days=1),
        model=pl.when(pl.col("model") == models[0]).then(pl.lit(models[1])).otherwise(pl.lit(models[0])),
        tags=pl.concat_list(pl.lit(" Late-First ")),
    )


def _landings(generated: Path, stage: Path) -> list[list[Path]]:
    """The generated files split into the landings of successive runs."""
    usage = sorted(generated.glob("usage_20*.parquet"))
    late = sorted(generated.glob("usage_late_landed_*.parquet"))
    feedback = pl.read_parquet(generated / "feedback.parquet").sort("created_at")
    workspaces = pl.read_parquet(generated / "workspaces.parquet")
    first_month = pl.read_parquet(usage[0])
    known_messages = first_month["message_id"].unique().sort()
    half = feedback.height // 2
    # First snapshot: every workspace in UTC; the second gives their real zones (their local days move).
    utc_workspaces = _write(workspaces.with_columns(timezone=pl.lit("UTC")), stage / "1" / "workspaces_utc.parquet")
    early_feedback = _write(feedback.head(half), stage / "1" / "feedback_early.parquet")
    orphans = _orphan_feedback(feedback)
    orphan_feedback = _write(orphans, stage / "1" / "feedback_orphans.parquet")
    # Run 2: the first ten orphans' feedback is about known messages after all (their feedback-only rows go).
    moved_orphans = _write(_moved_feedback(orphans, known_messages, 10, 1), stage / "2" / "feedback_moved.parquet")
    late_feedback = _write(feedback.tail(feedback.height - half), stage / "3" / "feedback_late.parquet")
    resent = _write(first_month.sample(n=200, seed=1), stage / "3" / "usage_resent.parquet")
    # Run 3: calls for five orphans; early category feedback re-sent about other messages, with another label.
    orphan_calls = _calls_of_messages(first_month, orphans["message_id"].slice(10, 5))
    late_first = _late_first_calls(first_month)
    calls = _write(pl.concat([orphan_calls, late_first]), stage / "3" / "usage_late_first_calls.parquet")
    categories = feedback.head(half).filter(pl.col("kind") == "category")
    regrouped = _write(
        _moved_feedback(categories, known_messages.reverse(), 30, 2), stage / "3" / "feedback_regrouped.parquet"
    )
    return [
        [*usage[:3], utc_workspaces, generated / "users.parquet", early_feedback, orphan_feedback],
        [*usage[3:], *late[: len(late) // 2], moved_orphans],
        [resent, late_feedback, calls, regrouped, generated / "workspaces.parquet", *late[len(late) // 2 :]],
        [],  # nothing new
    ]


def _land(files: list[Path], landing: Path) -> None:
    for index, path in enumerate(files):
        shutil.copy(path, landing / f"{index:02d}_{path.parent.name}_{path.name}")


def _differences(incremental: Path, full: Path, mart: str, schema: str = "marts") -> int:
    with duckdb.connect() as con:
        con.execute(f"attach '{incremental}' as incremental (read_only)")
        con.execute(f"attach '{full}' as full_refresh (read_only)")
        inc, ful = f"incremental.{schema}.{mart}", f"full_refresh.{schema}.{mart}"
        one_way, other_way = (
            f"select * from {inc} except all select * from {ful}",
            f"select * from {ful} except all select * from {inc}",
        )
        return con.execute(
            f"select (select count(*) from ({one_way})) + (select count(*) from ({other_way}))"
        ).fetchone()[0]


def _row_versions(db: Path) -> dict[str, tuple[int, int]]:
    """Rows and the highest rowid of each sliced mart and each table rebuilt by key: a slice or key deleted and
    inserted again gets new rowids."""
    relations = [f"marts.{mart}" for mart in INCREMENTAL] + [f"core.{table}" for table in REBUILT_BY_KEY]
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: con.execute(f"select count(*), max(rowid) from {name}").fetchone() for name in relations}


@dataclass(frozen=True)
class Histories:
    incremental: Path
    full: Path
    before_idle_run: dict[str, tuple[int, int]]
    after_idle_run: dict[str, tuple[int, int]]


@pytest.fixture(scope="module")
def histories(tmp_path_factory: pytest.TempPathFactory) -> Histories:
    root = tmp_path_factory.mktemp("marts_incremental")
    write_history(root / "generated", events=30_000, days=180, seed=7, late_rate=0.03)
    landing = root / "landing"
    landing.mkdir()
    db = root / "incremental" / "build.duckdb"
    db.parent.mkdir()
    ingest_paths(db, [], progress=lambda _: None)
    run_dbt(db, "seed")
    landings = _landings(root / "generated", root / "stage")
    for number, files in enumerate(landings, start=1):
        if number == len(landings):
            before_idle_run = _row_versions(db)
        _land(files, landing)
        assert ingest_paths(db, [landing], progress=lambda _: None).ok
        run_dbt(db, "run", vars=CLOSED if number >= 3 else None)
    full = root / "full" / "build.duckdb"
    full.parent.mkdir()
    shutil.copytree(db.parent, full.parent, dirs_exist_ok=True)
    run_dbt(full, "run", full_refresh=True, vars=CLOSED)
    return Histories(db, full, before_idle_run, _row_versions(db))


@pytest.mark.parametrize("mart", MARTS)
def test_incremental_history_equals_a_full_refresh(histories: Histories, mart: str) -> None:
    assert _differences(histories.incremental, histories.full, mart) == 0


# billing_events is left out: a full refresh keeps the ledger (full_refresh=false), so it is equal by
# construction; tests/warehouse/test_core_billing.py checks its late-period rule.
@pytest.mark.parametrize("table", [table for table in CORE_TABLES if table != "billing_events"])
def test_core_tables_after_the_history_equal_a_full_refresh(histories: Histories, table: str) -> None:
    assert _differences(histories.incremental, histories.full, table, schema="core") == 0


def test_a_run_with_nothing_new_rewrites_no_slice_and_no_key(histories: Histories) -> None:
    assert histories.after_idle_run == histories.before_idle_run


def test_the_history_exercised_what_it_claims(histories: Histories) -> None:
    """Late calls, a closed period's corrections, moved local days and re-sent events really happened."""
    with duckdb.connect(str(histories.incremental), read_only=True) as con:
        corrections = con.execute("select count(*) from marts.focus_charges where \"ChargeClass\" = 'Correction'")
        assert corrections.fetchone()[0] > 0
        for local_mart in ("cost_daily_local", "cost_daily_local_by_model", "cost_daily_local_user_totals"):
            non_utc = con.execute(f"select count(*) from marts.{local_mart} where timezone <> 'UTC'").fetchone()[0]
            assert non_utc > 0, local_mart
        late = con.execute("select count(distinct arrival_date) from marts.usage_arrival_lateness_daily").fetchone()
        assert late[0] >= 1
        skipped = con.execute("select sum(duplicates_skipped) from raw.load_manifest").fetchone()[0]
        assert skipped >= 200
        # orphans 00-09 moved to known messages (their rows went), 10-14 got a call, 15-19 are left feedback-only
        orphans = con.execute(
            "select message_id, is_feedback_only, calls from core.messages"
            " where message_id like 'msg_orphan_%' order by message_id"
        ).fetchall()
        assert orphans == [(f"msg_orphan_{n}", n >= 15, 0 if n >= 15 else 1) for n in range(10, 20)]
        first_calls = con.execute("select count(*) from core.messages where event_id like 'evt_late_first_%'")
        assert first_calls.fetchone()[0] == LATE_FIRST_CALLS
        late_tags = con.execute("select count(*) from core.tags where tag = 'late-first'").fetchone()[0]
        assert late_tags == LATE_FIRST_CALLS
        moved = con.execute("select count(distinct message_id) from core.tags where tag = 'moved'").fetchone()[0]
        assert moved == 10 + 30
