"""Generated ids: each data set (seed) and each later batch has ids of its own, except the default data set,
which keeps the unprefixed ids it was published with; a batch lands after its data set, by the same tenants."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from ingest.load import ingest_paths
from synapscale.errors import UserError
from synapscale.generate import GeneratorConfig, write_dataset
from tests.support.ingest import query, quiet

SMALL = {"events": 6_000, "days": 30, "workspaces": 5, "users": 40}


def _read(files: list[Path], prefix: str) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(f) for f in files if f.name.startswith(prefix)])


def test_default_data_set_keeps_unprefixed_ids(tmp_path: Path) -> None:
    files = write_dataset(GeneratorConfig(**SMALL), tmp_path)
    usage = _read(files, "usage_").sort("event_id")
    assert usage["event_id"].to_list() == [f"evt_{i:010d}" for i in range(1, 6_001)]
    assert usage["message_id"].to_list() == [f"msg_{i:010d}" for i in range(1, 6_001)]
    assert usage["conversation_id"].str.contains(r"^conv_\d{9}$").all()
    assert _read(files, "feedback").get_column("feedback_id").str.contains(r"^fb_\d{9}$").all()


def test_other_seeds_have_ids_of_their_own(tmp_path: Path) -> None:
    first = write_dataset(GeneratorConfig(**SMALL, seed=7), tmp_path / "seed7")
    second = write_dataset(GeneratorConfig(**SMALL, seed=8), tmp_path / "seed8")
    assert _read(first, "usage_")["event_id"].str.starts_with("evt_s7_").all()
    for column, prefix in (("event_id", "usage_"), ("message_id", "usage_"), ("conversation_id", "usage_")):
        ids = set(_read(first, prefix)[column]) & set(_read(second, prefix)[column])
        assert not ids, column
    assert not set(_read(first, "feedback")["feedback_id"]) & set(_read(second, "feedback")["feedback_id"])
    db = tmp_path / "build.duckdb"
    for folder in ("seed7", "seed8"):
        report = ingest_paths(db, [tmp_path / folder], progress=quiet)
        usage_files = [f for f in report.files if f.record_type == "usage"]
        assert report.ok and sum(f.duplicates for f in usage_files) == 0
    assert query(db, "select count(*) from raw.usage_events")[0][0] == 12_000


def test_batch_lands_after_its_data_set_by_the_same_tenants(tmp_path: Path) -> None:
    base = GeneratorConfig(**SMALL, seed=3)
    base_files = write_dataset(base, tmp_path / "base")
    batch = GeneratorConfig(**{**SMALL, "events": 1_000}, seed=3, batch=1, late_rate=0.2)
    batch_files = write_dataset(batch, tmp_path / "batch1")
    landing = base.last_day + timedelta(days=1)
    assert [f.name for f in batch_files] == [f"feedback_landed_{landing}.parquet", f"usage_landed_{landing}.parquet"]
    events = _read(batch_files, "usage_")
    assert events.height == 1_000 and events["event_id"].str.starts_with("evt_s3b1_").all()
    days = events["occurred_at"].dt.date()
    late = events.filter(days < landing)
    assert 150 <= late.height <= 250  # late_rate 0.2 of 1,000
    assert late["occurred_at"].dt.date().min() >= landing - timedelta(days=5)
    assert days.max() == landing
    # the same tenants: every user of the batch belongs to the workspace the data set's snapshot gives it
    users = pl.read_parquet(tmp_path / "base" / "users.parquet").select("user_id", "workspace_id")
    joined = events.select("user_id", "workspace_id").join(users, on="user_id", how="left", suffix="_snapshot")
    assert (joined["workspace_id"] == joined["workspace_id_snapshot"]).all()
    feedback = _read(batch_files, "feedback")
    assert feedback["message_id"].is_in(events["message_id"].implode()).all()
    # it loads after the data set with nothing taken for a duplicate
    db = tmp_path / "build.duckdb"
    ingest_paths(db, [tmp_path / "base"], progress=quiet)
    report = ingest_paths(db, [tmp_path / "batch1"], progress=quiet)
    assert report.ok and report.duplicates == 0 and report.quarantined == 0
    assert report.by_file("usage_landed_" + str(landing) + ".parquet").loaded == 1_000
    assert query(db, "select count(*) from raw.usage_events")[0][0] == _read(base_files, "usage_").height + 1_000


def test_batches_are_deterministic_and_distinct(tmp_path: Path) -> None:
    one = write_dataset(GeneratorConfig(**SMALL, batch=1), tmp_path / "a")
    again = write_dataset(GeneratorConfig(**SMALL, batch=1), tmp_path / "b")
    two = write_dataset(GeneratorConfig(**SMALL, batch=2), tmp_path / "c")
    assert [f.read_bytes() for f in one] == [f.read_bytes() for f in again]
    assert not set(_read(one, "usage_")["event_id"]) & set(_read(two, "usage_")["event_id"])
    assert _read(two, "usage_")["occurred_at"].dt.date().max() == date(2025, 4, 2)


def test_a_large_data_set_is_drawn_in_parts_with_ids_of_their_own(tmp_path: Path) -> None:
    # 6,000 events in parts of at most 2,500: three parts of 2,000 (what PART_EVENTS does to 100M events)
    files = write_dataset(GeneratorConfig(**SMALL, seed=5, late_rate=0.1), tmp_path, part_events=2_500)
    names = {f.name for f in files}
    assert {"feedback_part0.parquet", "feedback_part1.parquet", "feedback_part2.parquet"} <= names
    assert {"workspaces.parquet", "users.parquet"} <= names  # the tenants are drawn once
    assert not {n for n in names if n.startswith(("usage_", "feedback")) and "_part" not in n}
    usage = _read(files, "usage_")
    assert usage.height == 6_000 and usage["event_id"].n_unique() == 6_000
    assert usage["message_id"].n_unique() == 6_000
    for part, token in enumerate(("evt_s5_", "evt_s5p1_", "evt_s5p2_")):
        drawn = _read([f for f in files if f"_part{part}." in f.name], "usage_")
        assert drawn.height == 2_000 and drawn["event_id"].str.starts_with(token).all()
        # each part spans the whole range, by the same tenants
        assert drawn["occurred_at"].dt.date().max() == GeneratorConfig(**SMALL).last_day
        assert set(drawn["workspace_id"]) <= set(pl.read_parquet(tmp_path / "workspaces.parquet")["workspace_id"])
    conversations = usage.group_by("conversation_id").agg(pl.col("event_id").str.slice(0, 8).n_unique())
    assert (conversations["event_id"] == 1).all()  # no conversation id is shared by two parts
    feedback = _read(files, "feedback")
    by_part = [
        set(_read([f for f in files if f.name == f"feedback_part{p}.parquet"], "feedback")["feedback_id"])
        for p in range(3)
    ]
    assert not (by_part[0] & by_part[1]) | (by_part[1] & by_part[2]) | (by_part[0] & by_part[2])
    assert set(feedback["message_id"]) <= set(usage["message_id"])
    db = tmp_path / "build.duckdb"
    report = ingest_paths(db, [tmp_path], progress=quiet)
    assert report.ok and sum(f.duplicates for f in report.files) == 0
    assert query(db, "select count(*) from raw.usage_events")[0][0] == 6_000


def test_churn_is_not_drawn_over_parts(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="at most 2,500 events with --churn-rate"):
        write_dataset(GeneratorConfig(**SMALL, churn_rate=0.2), tmp_path, part_events=2_500)
