"""The scheduled job: lock -> ingest new landing files -> dbt build -> publish the tested database.

A failing step publishes nothing and leaves the last good serve file where it was.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from ingest.attribution import Attribution
from ingest.load import ingest_paths
from synapscale.billing import closed_period
from synapscale.errors import StepFailed
from synapscale.pipeline.dbt import dbt_vars, run_dbt
from synapscale.pipeline.lock import run_lock
from synapscale.pipeline.publish import publish
from synapscale.settings import Settings

Progress = Callable[[str], None]


def run(
    settings: Settings,
    *,
    full_refresh: bool = False,
    progress: Progress = print,
    attribution: Attribution | None = None,
) -> int:
    """The main job. Returns 0 on success, 1 when a step failed (named in the message)."""
    settings.landing_dir.mkdir(parents=True, exist_ok=True)
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with run_lock(settings.lock_file):
        try:
            progress(f"[1/3] ingest {settings.landing_dir} → {settings.build_db}")
            report = ingest_paths(settings.build_db, [settings.landing_dir], progress=progress, attribution=attribution)
            if not report.ok:
                raise StepFailed("ingest", "some files could not be read (see above); fix or remove them and re-run")
            progress("[2/3] dbt build")
            build_args = ["build", "--full-refresh"] if full_refresh else ["build"]
            closed = closed_period(settings.build_db)
            if closed is not None:
                progress(f"  billing periods up to {closed:%Y-%m} are closed")
            run_dbt(settings, build_args, vars_=dbt_vars(closed), progress=progress)
            progress(f"[3/3] publish → {settings.serve_db}")
            publish(settings.build_db, settings.serve_db, progress=progress)
        except StepFailed as failure:
            print(f"synapscale: {failure}", file=sys.stderr)
            return 1
    progress(f"done in {time.monotonic() - started:.1f}s")
    return 0
