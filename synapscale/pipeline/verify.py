"""Is the build file tested? `synapscale publish` publishes a build made by hand (`dbt build` from the repo
root) only when the last dbt invocation against that build file was a full `dbt build` with no error and no
failing test, and nothing changed the data since.

dbt keeps no record inside the database of what ran against it, so the evidence is the run_results.json dbt
wrote: the pipeline's (`<warehouse>/dbt/target/`) and plain dbt's (`<project>/target/`, which counts only when
the profile's path, $SYNAPSCALE_BUILD_DB or warehouse/build.duckdb from the repo root, is this build file),
whichever invocation started last.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from synapscale.errors import StepFailed
from synapscale.pipeline.results import Invocation, read_invocation
from synapscale.settings import Settings

STEP = "publish"


def profile_build_db(project_dir: Path) -> Path:
    """The build file plain dbt, run from the project folder, writes (profiles.yml's path)."""
    path = Path(os.environ.get("SYNAPSCALE_BUILD_DB", "warehouse/build.duckdb"))
    return (path if path.is_absolute() else project_dir / path).resolve()


def run_results_candidates(settings: Settings) -> list[Path]:
    candidates = [settings.dbt_work_dir / "target" / "run_results.json"]
    if profile_build_db(settings.project_dir) == settings.build_db.resolve():
        candidates.append(settings.project_dir / "target" / "run_results.json")
    return candidates


def last_invocation(settings: Settings) -> Invocation | None:
    found = [inv for inv in (read_invocation(path) for path in run_results_candidates(settings)) if inv]
    return max(found, key=lambda inv: inv.started_at, default=None)


def verify_tested(settings: Settings) -> Invocation:
    """The clean, full `dbt build` the build file's current content comes from; StepFailed (exit 1) saying
    what to run when there is none."""
    build_db = settings.build_db
    if not build_db.exists():
        raise StepFailed(STEP, f"no build database at {build_db}; run `synapscale run` first")
    invocation = last_invocation(settings)
    if invocation is None:
        where = " or ".join(str(p) for p in run_results_candidates(settings))
        raise StepFailed(STEP, f"no dbt run_results.json for {build_db} ({where}); run `dbt build` first")
    _check_invocation(invocation, build_db, settings.project_dir)
    _check_nothing_changed(invocation, build_db)
    return invocation


def _check_invocation(invocation: Invocation, build_db: Path, project_dir: Path) -> None:
    what = f"the last dbt invocation against {build_db} ({invocation.path}, started {invocation.started_at:%F %T})"
    if invocation.command != "build":
        raise StepFailed(STEP, f"{what} was `dbt {invocation.command}`, not a build; run `dbt build`, then publish")
    if invocation.select or (invocation.exclude and not _left_out_already_passed(invocation, project_dir)):
        chosen = " ".join([*invocation.select, *(f"--exclude {e}" for e in invocation.exclude)])
        raise StepFailed(STEP, f"{what} built only part of the project ({chosen}); run a full `dbt build`")
    if not invocation.clean:
        names = ", ".join(invocation.failing[:5]) + (" ..." if len(invocation.failing) > 5 else "")
        raise StepFailed(STEP, f"{what} had errors or failing tests ({names}); fix them and run `dbt build`")


def _left_out_already_passed(invocation: Invocation, project_dir: Path) -> bool:
    """The pipeline's own exclusions (pipeline/state.py): the call views' tests, whose checks the core tables
    carry, and the unit tests once they passed on this very project."""
    from synapscale.pipeline import state  # state reads last_invocation from here

    if invocation.exclude == state.CALL_VIEW_TESTS:
        return True
    return invocation.exclude == state.UNIT_TESTS + state.CALL_VIEW_TESTS and state.tested_project_is_current(
        invocation, project_dir
    )


def _check_nothing_changed(invocation: Invocation, build_db: Path) -> None:
    if invocation.vars.get("closed_billing_period") not in (None, "", "none", "None", "null"):
        raise StepFailed(
            STEP,
            "that build overrode the closed billing period (--vars closed_billing_period=...), a what-if the ledger "
            "must not keep; billing reads the closures from raw.billing_period_closures: run `dbt build` without it",
        )
    with duckdb.connect(str(build_db), read_only=True) as con:
        has_manifest = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'load_manifest'"
        ).fetchall()[0][0]
        later = (
            con.execute(
                "select count(*) from raw.load_manifest where finished_at > ?", [invocation.started_at]
            ).fetchall()[0][0]
            if has_manifest
            else 0
        )
    if later:
        raise StepFailed(STEP, f"{later} landing file(s) were ingested after that build started; run `dbt build`")
