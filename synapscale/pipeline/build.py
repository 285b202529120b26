"""The run's dbt build step: skip it when nothing it reads changed (state.py), else decide the arguments (a full
refresh when the upgrade check asks for one, upgrade.py; the tests a run leaves out, state.dbt_build_args), run
dbt, and record what it did in run history.

run.py calls `run_build` with the run's progress, checkpoint and history writer; this module writes nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from synapscale.billing import closed_period
from synapscale.ops import history
from synapscale.pipeline.dbt import Progress, run_dbt
from synapscale.pipeline.results import read_invocation
from synapscale.pipeline.state import (
    TESTED_THROUGH_ENV,
    UNIT_TESTS,
    dbt_build_args,
    is_full_clean_build,
    project_is_recorded,
    record_build,
    standing_build,
    tested_through,
    unchanged_since,
)
from synapscale.pipeline.upgrade import needs_full_refresh
from synapscale.settings import Settings

Record = Callable[[dict[str, Any]], None]


def run_build(
    settings: Settings,
    full_refresh: bool,
    *,
    progress: Progress,
    record: Record,
    on_start: Callable[[int], None],
) -> bool:
    """dbt build, or nothing when nothing it reads changed since the last clean build. Returns True when it
    skipped. `record` writes columns of the run's history row; `on_start` gets dbt's pid."""
    began, began_at = time.monotonic(), history.now()
    spark = settings.engine == "spark"
    # Spark keeps its tables in its own metastore: no record of a standing build there.
    standing = None if full_refresh or spark else standing_build(settings)
    built = None if standing is None else unchanged_since(settings, standing)
    if built is not None:
        progress(f"[2/3] dbt build skipped: nothing new since build {built} (same project, same raw data)")
        record({"build_mode": "skipped", "dbt_invocation_id": built, "dbt_seconds": time.monotonic() - began})
        return True
    progress("[2/3] dbt build" + (" (Spark)" if spark else ""))
    if not spark:  # the check reads the DuckDB build file; Spark keeps its tables in its own metastore
        full_refresh = full_refresh or needs_full_refresh(settings, progress)
    closed = closed_period(settings.build_db)
    if closed is not None:
        progress(f"  billing periods up to {closed:%Y-%m} are closed")
    args = _arguments(settings, full_refresh, progress)
    # A full refresh rewrites every row: every row is tested (an upgrade may have turned this run into one).
    through = None if standing is None or full_refresh else tested_through(standing)
    if through is not None:
        progress(
            f"  data tests of the incremental core tables check the rows loaded after {through} "
            "(docs/operations.md#tests-of-the-new-rows-only)"
        )
    # dbt still checks every file's checksum, the vars and its version; a changed project is parsed from scratch.
    reuse_parse = not spark and project_is_recorded(settings)
    try:
        run_dbt(
            settings,
            args,
            progress=progress,
            partial_parse=reuse_parse,
            on_start=on_start,
            extra_env={TESTED_THROUGH_ENV: through or ""},  # "": every row (not the caller's shell's value)
        )
    finally:
        record(_history_values(settings, full_refresh, time.monotonic() - began, began_at))
    return False


def _arguments(settings: Settings, full_refresh: bool, progress: Progress) -> list[str]:
    if settings.engine == "spark":  # every data test, not the unit tests (docs/spark.md#what-is-supported)
        return ["build", *(["--full-refresh"] if full_refresh else []), "--exclude", "resource_type:unit_test"]
    args = dbt_build_args(settings, full_refresh)
    if UNIT_TESTS[0] in args:
        progress("  unit tests that passed on this project left out (docs/operations.md#tests-a-run-leaves-out)")
    return args


def _history_values(settings: Settings, full_refresh: bool, seconds: float, began_at: datetime) -> dict[str, Any]:
    """The build's run-history columns; a clean, full build is also recorded as the one a later run may skip to."""
    invocation = read_invocation(settings.dbt_work_dir / "target" / "run_results.json")
    values: dict[str, Any] = {"dbt_seconds": seconds, "build_mode": "full refresh" if full_refresh else "incremental"}
    if invocation is not None and invocation.started_at >= began_at:  # not a stale file
        values.update(invocation.history_values())
        if is_full_clean_build(invocation):
            record_build(settings, invocation)
    return values
