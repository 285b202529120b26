"""Churners in the synthetic data: an overlay that never moves the other draws, and a ground truth ingest skips."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from ingest.discover import landing_files
from synapscale.generate import GeneratorConfig, write_dataset

SMALL = {"events": 6_000, "days": 40, "workspaces": 12, "users": 60, "seed": 17}
RATES = {"bad_rate": 0.01, "duplicate_rate": 0.01, "late_rate": 0.01}
# sha256 of every landing file's rows (name, schema, each row's repr) for SMALL + RATES, computed with the
# generator as it was before churners existed: the default output must not move (python reprs, not file bytes,
# so a polars writer upgrade does not break it). Ids are hashed without their seed token (`evt_s17_...` as
# `evt_...`): the token came later (tests/generate/test_ids_and_batches.py) and moves nothing else.
DIGEST_BEFORE_CHURN = "86ae1088f89d36f37f0efb5f077fc0b96e56318ba895c78280b4c39237749844"


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.name):
        frame = pl.read_parquet(path).with_columns(pl.col(pl.String).str.replace("_s17_", "_", literal=True))
        digest.update(path.name.encode())
        digest.update(repr(frame.schema).encode())
        for row in frame.rows():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _usage(files: list[Path]) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(f) for f in files if f.name.startswith("usage_")])


def test_churn_rate_zero_leaves_the_data_set_as_it_was(tmp_path: Path) -> None:
    files = write_dataset(GeneratorConfig(**SMALL, **RATES), tmp_path / "landing")
    assert _digest(files) == DIGEST_BEFORE_CHURN
    assert sorted(tmp_path.joinpath("landing").iterdir()) == sorted(files)  # nothing else written
    truth = tmp_path / "truth.csv"  # asked for: the fading workspaces are its churners
    write_dataset(GeneratorConfig(**SMALL, **RATES), tmp_path / "again", ground_truth_path=truth)
    assert set(pl.read_csv(truth)["churn_pattern"].fill_null("")) <= {"fading", ""}


@pytest.fixture(scope="module")
def churned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], list[Path]]:
    root = tmp_path_factory.mktemp("churn")
    config = {"events": 40_000, "days": 120, "workspaces": 30, "users": 200, "seed": 9, **RATES}
    base = write_dataset(GeneratorConfig(**config), root / "base")
    churned = write_dataset(GeneratorConfig(**config, churn_rate=0.3), root / "churned")
    return root, base, churned


def test_churners_are_an_overlay_the_other_workspaces_do_not_move(churned) -> None:
    root, base, with_churn = churned
    truth = pl.read_csv(root / "churned" / ".ground_truth" / "churn.csv", try_parse_dates=True)
    silent = truth.filter(pl.col("churn_pattern") == "silent")["workspace_id"]
    assert silent.len() == 9  # round(0.3 x 30), none of them among the fading ones
    others = ~pl.col("workspace_id").is_in(silent.implode())
    base_usage, churned_usage = _usage(base), _usage(with_churn)
    assert (
        base_usage.filter(others)
        .sort("event_id", "occurred_at")
        .equals(churned_usage.filter(others).sort("event_id", "occurred_at"))
    )
    for name in ("workspaces.parquet", "users.parquet"):
        assert (root / "base" / name).read_bytes() == (root / "churned" / name).read_bytes()
    base_feedback = pl.read_parquet(root / "base" / "feedback.parquet")
    churned_feedback = pl.read_parquet(root / "churned" / "feedback.parquet")
    assert churned_feedback.height < base_feedback.height
    assert churned_feedback["feedback_id"].is_in(base_feedback["feedback_id"].implode()).all()
    assert churned_feedback["message_id"].is_in(churned_usage["message_id"].implode()).all()


def test_churners_decline_then_fall_silent(churned) -> None:
    root, base, with_churn = churned
    truth = pl.read_csv(root / "churned" / ".ground_truth" / "churn.csv", try_parse_dates=True)
    last_day = date(2025, 3, 31)
    usage = _usage(with_churn).with_columns(day=pl.col("occurred_at").dt.date())
    before = _usage(base).with_columns(day=pl.col("occurred_at").dt.date())
    for row in truth.filter(pl.col("churn_pattern") == "silent").iter_rows(named=True):
        mine = usage.filter(pl.col("workspace_id") == row["workspace_id"])
        assert mine.filter(pl.col("day") >= row["silent_from"]).is_empty()
        assert last_day - row["silent_from"] >= timedelta(days=13)
        assert row["silent_from"] - row["decline_from"] >= timedelta(days=14)
        declining = (pl.col("day") >= row["decline_from"]) & (pl.col("day") < row["silent_from"])
        was = before.filter((pl.col("workspace_id") == row["workspace_id"]) & declining).height
        assert mine.filter(declining).height < 0.8 * was + 5
    fading = truth.filter(pl.col("churn_pattern") == "fading")
    assert fading["is_churner"].all() and fading["silent_from"].is_null().all()
    assert truth.filter(pl.col("churn_pattern").is_null())["is_churner"].not_().all()


def test_ground_truth_is_not_landing_data_and_can_go_elsewhere(churned, tmp_path: Path) -> None:
    root, _, with_churn = churned
    assert root / "churned" / ".ground_truth" / "churn.csv" not in landing_files([root / "churned"])
    assert sorted(landing_files([root / "churned"])) == sorted(with_churn)
    elsewhere = tmp_path / "truth" / "churn.csv"
    write_dataset(GeneratorConfig(**SMALL, churn_rate=0.25), tmp_path / "landing", ground_truth_path=elsewhere)
    assert pl.read_csv(elsewhere).height == SMALL["workspaces"]
    assert not (tmp_path / "landing" / ".ground_truth").exists()


def test_same_seed_same_churners(tmp_path: Path) -> None:
    config = GeneratorConfig(**SMALL, churn_rate=0.25)
    first = write_dataset(config, tmp_path / "a")
    second = write_dataset(config, tmp_path / "b")
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    truth = (tmp_path / "a" / ".ground_truth" / "churn.csv").read_bytes()
    assert truth == (tmp_path / "b" / ".ground_truth" / "churn.csv").read_bytes()
