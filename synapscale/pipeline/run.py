"""The scheduled job: lock -> ingest new landing files -> dbt build -> source freshness -> publish.

A failing step publishes nothing and leaves the last good serve file where it was. Each step is recorded in
run history (ops.run_history, synapscale/ops/history.py) as it starts and ends, in short transactions, so a run
killed anywhere leaves a row that says how far it got; the next run marks it 'abandoned'.

Steps that must not fail the run (source freshness: staleness is reported, never fatal) go through
`_Job.non_fatal`, which records their problem as a warning. Steps after the publication go the same way:
once the serve file is renamed into place the run has published, so anything after it (such as delivering
spend alerts) is called after `_Job.publish` in `_Job.execute` through `non_fatal`, and never changes the exit
code.

With the Spark engine (settings.engine == "spark", docs/spark.md) the job is lock -> ingest -> raw layer to
Parquet -> dbt build on Spark -> Spark's tables read back into <warehouse>/spark/serve.duckdb; it ends with
status 'built' and publishes nothing (the DuckDB serve file is untouched).

`checkpoint` is called with the name of each point the run reaches ('locked', 'ingest_before_commit:<file>',
'ingested', 'dbt_started', 'built', 'freshness_checked', 'publish_copied', 'published', and
'alert_sent:<sink>:<alert_id>' between a sink accepting an alert and its record); the fault tests pass one
that stops the run there so they can kill it at a known point.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ingest.attribution import Attribution
from ingest.load import ingest_paths
from ingest.report import IngestReport
from synapscale.alerts import config as alert_config
from synapscale.alerts.deliver import deliver_published
from synapscale.errors import EXIT_FAILED, EXIT_OK, StepFailed, UserError
from synapscale.ops import history
from synapscale.pipeline.build import run_build
from synapscale.pipeline.diagnose import with_advice
from synapscale.pipeline.lock import RECORDED_COMMANDS, RunLock, run_lock
from synapscale.pipeline.publish import Publication, publish
from synapscale.pipeline.results import Freshness, aged_freshness, measure_freshness
from synapscale.pipeline.verify import verify_tested
from synapscale.settings import Settings

Progress = Callable[[str], None]
Checkpoint = Callable[[str], None]


def _no_checkpoint(name: str) -> None:
    del name


def new_run_id(started: datetime) -> str:
    return f"{started:%Y%m%dT%H%M%SZ}-{os.getpid()}"


def run(
    settings: Settings,
    *,
    full_refresh: bool = False,
    progress: Progress = print,
    checkpoint: Checkpoint | None = None,
    attribution: Attribution | None = None,
) -> int:
    """The main job. Returns 0 when it published, 1 when a step failed (named in the message on stderr).
    Raises RunInProgress (exit 75) when another run holds the lock, KeyboardInterrupt when interrupted."""
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    try:
        for folder in (settings.landing_dir, settings.warehouse_dir):
            _make_folder(folder)
        with run_lock(settings.lock_file, "run", run_id) as lock:
            job = _Job(settings, run_id, started, lock, progress, checkpoint or _no_checkpoint, attribution=attribution)
            return job.execute(full_refresh)
    except StepFailed as failure:  # before run history could be written: say it, there is no row to record it
        print(f"synapscale: {failure}", file=sys.stderr)
        return EXIT_FAILED


def publish_only(settings: Settings, *, progress: Progress = print, checkpoint: Checkpoint | None = None) -> int:
    """`synapscale publish`: publish the build file as it is, when its last dbt invocation was a clean, full
    `dbt build` (synapscale/pipeline/verify.py). Recorded in run history as command 'publish'."""
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    try:
        with run_lock(settings.lock_file, "publish", run_id) as lock:
            job = _Job(settings, run_id, started, lock, progress, checkpoint or _no_checkpoint, command="publish")
            return job.execute_publish()
    except StepFailed as failure:
        print(f"synapscale: {failure}", file=sys.stderr)
        return EXIT_FAILED


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StepFailed("start", with_advice(f"cannot create {folder} ({error.strerror})", folder.parent)) from None


@dataclass
class _Job:
    settings: Settings
    run_id: str
    started_at: datetime
    lock: RunLock
    progress: Progress
    checkpoint: Checkpoint
    command: str = "run"
    attribution: Attribution | None = None
    step: str = "start"
    build_skipped: bool = False
    warnings: list[str] = field(default_factory=list)
    clock: float = field(default_factory=time.monotonic)

    def execute(self, full_refresh: bool) -> int:
        def steps() -> None:
            self.start(full_refresh)
            self.checkpoint("locked")
            self.ingest()
            self.checkpoint("ingested")
            if self.settings.engine == "spark":
                return self.execute_spark(full_refresh)
            self.build(full_refresh)
            self.checkpoint("built")
            self.non_fatal("source freshness", self.freshness)
            self.checkpoint("freshness_checked")
            self.publish()
            self.checkpoint("published")
            self.non_fatal("alert delivery", self.deliver_alerts)

        code = self.recorded(steps, record_unexpected=True)
        if code == EXIT_OK:
            self.progress(f"done in {time.monotonic() - self.clock:.1f}s")
        return code

    def execute_spark(self, full_refresh: bool) -> int:
        from synapscale import spark

        missing = spark.missing_requirements()
        if missing is not None:
            raise StepFailed("dbt build", missing)
        self.enter("raw layer export")
        self.progress(f"  raw layer → {self.settings.spark_dir / 'raw'}")
        spark.export_raw_layer(self.settings.build_db, self.settings.warehouse_dir, progress=self.progress)
        self.build(full_refresh)
        self.checkpoint("built")
        self.enter("read back")
        spark.read_back(
            self.settings.project_dir,
            self.settings.warehouse_dir,
            self.settings.dbt_work_dir / "target" / "manifest.json",
            progress=self.progress,
        )
        self.record({"status": "built", "ended_at": history.now(), "total_seconds": self.elapsed()})
        self.progress(f"done in {self.elapsed():.1f}s")
        return EXIT_OK

    def execute_publish(self) -> int:
        def steps() -> None:
            if not self.settings.build_db.exists():
                raise StepFailed("publish", f"no build database at {self.settings.build_db}; run `synapscale run`")
            self.start(full_refresh=False)
            self.step = "verify"
            invocation = verify_tested(self.settings)
            self.progress(f"build {invocation.invocation_id} ({invocation.path}) passed: publishing it")
            self.record(invocation.history_values())
            self.publish()

        return self.recorded(steps, record_unexpected=False)

    def recorded(self, steps: Callable[[], None], *, record_unexpected: bool) -> int:
        """Run `steps`, recording how they ended: a failed step (exit code EXIT_FAILED, the reason on stderr), an
        interruption (re-raised) and, with record_unexpected, any other error (re-raised)."""
        try:
            steps()
        except StepFailed as failure:
            self.fail(failure.step, str(failure))
            print(f"synapscale: {failure}", file=sys.stderr)
            return EXIT_FAILED
        except KeyboardInterrupt:
            self.fail(self.step, f"interrupted (Ctrl-C or SIGTERM) during {self.step}; nothing was published")
            raise
        except Exception as error:
            if record_unexpected:
                self.fail(self.step, f"unexpected error during {self.step}: {error!r}")
            raise
        return EXIT_OK

    # --- recording -----------------------------------------------------------------------------------------
    def record(self, values: dict[str, Any]) -> None:
        """Write some columns of this run's row; a failure to write fails the step that was running."""
        try:
            history.update(self.settings.build_db, self.run_id, values)
        except duckdb.Error as error:
            raise StepFailed(self.step, self._history_error(error)) from None

    def _history_error(self, error: Exception) -> str:
        return with_advice(
            f"cannot write run history to {self.settings.build_db} ({error})", self.settings.warehouse_dir
        )

    def enter(self, step: str) -> None:
        self.step = step
        self.lock.set_step(step)
        self.record({"step": step})

    def fail(self, step: str, error: str) -> None:
        values: dict[str, Any] = {"status": "failed", "failing_step": step, "error": error, "ended_at": history.now()}
        values["total_seconds"] = self.elapsed()
        if step in ("publish", "alert delivery"):  # stopped after the rename: it did publish, the serve file says so
            values = history.published_copy(self.settings.serve_db, self.run_id) or values
            values.pop("run_id", None)
        try:
            history.update(self.settings.build_db, self.run_id, values)
        except duckdb.Error as write_error:
            print(f"synapscale: warning: {self._history_error(write_error)}", file=sys.stderr)

    def elapsed(self) -> float:
        return time.monotonic() - self.clock

    def non_fatal(self, step: str, action: Callable[[], None]) -> None:
        """Run a step whose failure is reported (history warnings, the log) but never fails the run."""
        try:
            action()
        except (StepFailed, duckdb.Error, OSError, ValueError) as error:
            message = str(error) if isinstance(error, StepFailed) else f"{step} failed: {error}"
            self.progress(f"  warning: {message}; the run goes on")
            self.warnings.append(message)
            self.record({"warnings": "\n".join(self.warnings)})

    # --- steps -------------------------------------------------------------------------------------------
    def start(self, full_refresh: bool) -> None:
        self.progress(f"run {self.run_id} started {self.started_at:%Y-%m-%d %H:%M:%S} UTC (pid {os.getpid()})")
        build_db, previous = self.settings.build_db, self.lock.previous
        try:
            closed = history.close_unfinished(build_db, self.settings.serve_db, self.run_id, previous and previous.pid)
            row = {"run_id": self.run_id, "command": self.command, "started_at": self.started_at, "pid": os.getpid()}
            taken_over = ",".join(run_id for run_id, _ in closed) or None
            history.begin(
                build_db,
                {**row, "host": socket.gethostname(), "step": "start", "full_refresh": full_refresh,
                 "taken_over_from": taken_over},
            )  # fmt: skip
        except duckdb.Error as error:
            raise StepFailed("start", self._history_error(error)) from None
        messages = [message for _, message in closed]
        if not closed and previous is not None and previous.command in RECORDED_COMMANDS:
            messages = [f"previous {previous.command} pid {previous.pid} ended without finishing; taking over"]
        for message in messages:
            self.progress(message)

    def ingest(self) -> None:
        self.enter("ingest")
        self.progress(f"[1/3] ingest {self.settings.landing_dir} → {self.settings.build_db}")
        began = time.monotonic()

        def before_commit(result: Any) -> None:
            self.checkpoint(f"ingest_before_commit:{Path(result.file).name}")

        try:
            report = ingest_paths(
                self.settings.build_db,
                [self.settings.landing_dir],
                progress=self.progress,
                before_commit=before_commit,
                attribution=self.attribution,
            )
        except (UserError, duckdb.Error) as error:
            raise StepFailed("ingest", with_advice(str(error), self.settings.warehouse_dir)) from None
        self.record({**_ingest_values(report), "ingest_seconds": time.monotonic() - began})
        if not report.ok:
            first = next(f for f in report.files if f.error is not None)
            raise StepFailed(
                "ingest",
                f"{report.failed_files} file(s) could not be loaded (see above), first: "
                + with_advice(str(first.error), self.settings.warehouse_dir)
                + "; fix or remove them and re-run (files loaded meanwhile stay loaded)",
            )

    def build(self, full_refresh: bool) -> None:
        """dbt build, or nothing when nothing it reads changed since the last clean build (pipeline/build.py)."""
        self.enter("dbt build")
        self.build_skipped = run_build(
            self.settings,
            full_refresh,
            progress=self.progress,
            record=self.record,
            on_start=lambda pid: self.checkpoint("dbt_started"),
        )

    def freshness(self) -> None:
        """Source freshness of the raw tables by the thresholds dbt's sources declare, recorded; stale tables are
        warnings, never failures. Measured on the build file with the manifest the build just wrote
        (results.measure_freshness: no second dbt process). After a skipped build the raw data and the thresholds
        are the ones the last result saw: only the ages move, so it is that result aged to now."""
        self.enter("source freshness")
        began = time.monotonic()
        values: dict[str, Any] = {}
        result: Freshness | None = None
        if self.build_skipped:
            result = aged_freshness(history.last_freshness(self.settings.build_db, self.run_id), history.now())
        if result is None:
            manifest = self.settings.dbt_work_dir / "target" / "manifest.json"
            with history.connect(self.settings.build_db, read_only=True) as con:
                result = measure_freshness(con, manifest, history.now())
            if result is None:
                self.record({"freshness_seconds": time.monotonic() - began, "freshness_status": "failed to run"})
                raise StepFailed("source freshness", f"cannot read {manifest}; the next `synapscale run` writes it")
        values["freshness_seconds"] = time.monotonic() - began
        self.record({**values, "freshness_status": result.status, "freshness": json.dumps(result.sources)})
        empty = " (empty: nothing landed yet)" if "empty" in result.summary() else ""
        self.progress(f"  source freshness: {result.summary()}{empty}")
        for warning in result.warnings():
            self.progress(f"  stale: {warning}")
            self.warnings.append(warning)
        if self.warnings:
            self.record({"warnings": "\n".join(self.warnings)})

    def publish(self) -> None:
        self.enter("publish")
        self.progress(f"[3/3] publish → {self.settings.serve_db}" if self.command == "run" else "publish")
        began = time.monotonic()
        try:
            version = history.next_version(self.settings.build_db)
        except duckdb.Error as error:
            raise StepFailed("publish", self._history_error(error)) from None
        publication = Publication(version=version, published_at=history.now(), run_id=self.run_id)
        final: dict[str, Any] = {}

        def finalize(copy: Path) -> None:
            final.update(
                status="published",
                ended_at=history.now(),
                published_version=version,
                published_at=publication.published_at,
                publish_seconds=time.monotonic() - began,
                total_seconds=self.elapsed(),
            )
            final["serve_file_bytes"] = history.mark_published(copy, self.run_id, final)

        publish(
            self.settings.build_db,
            self.settings.serve_db,
            progress=self.progress,
            publication=publication,
            finalize=finalize,
            before_rename=lambda copy: self.checkpoint("publish_copied"),
        )
        self.record({**final, "serve_file_bytes": self.settings.serve_db.stat().st_size})

    def deliver_alerts(self) -> None:
        """After the publication: new spend alerts into the outbox, then to the sinks (synapscale/alerts/).
        Whatever goes wrong here is a warning: the run has published."""
        self.enter("alert delivery")
        try:
            config = alert_config.from_env()
            outcome = deliver_published(self.settings, config, progress=self.progress, checkpoint=self.checkpoint)
        except KeyboardInterrupt:  # SIGTERM or Ctrl-C: stop delivering; the publication stands (exit 0)
            raise StepFailed("alert delivery", "interrupted; what was not delivered goes on the next run") from None
        except Exception as error:  # noqa: BLE001 (never fail a published run; say what broke)
            raise StepFailed("alert delivery", f"{type(error).__name__}: {error}; retried on the next run") from None
        self.progress(f"  {outcome.summary()}")
        self.record(outcome.history_values())
        if outcome.problems:
            self.warnings.append("alert delivery failed (retried on the next run): " + "; ".join(outcome.problems))
            self.record({"warnings": "\n".join(self.warnings)})


def _ingest_values(report: IngestReport) -> dict[str, Any]:
    files = report.files
    return {
        "files_seen": len(files),
        "files_loaded": sum(not f.skipped_already_loaded and f.error is None for f in files),
        "files_skipped": report.skipped_files,
        "files_failed": report.failed_files,
        "events_loaded": sum(f.loaded for f in files if f.record_type == "usage"),
        "records_loaded": report.loaded,
        "records_quarantined": report.quarantined,
        "duplicates": report.duplicates,
    }
