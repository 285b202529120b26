"""`synapscale status`: the last runs, how fresh each raw table is, and what to do when something is wrong.

Where it reads: the build file, holding the run lock for the few milliseconds that takes (a run starting
meanwhile waits for it, see pipeline/lock.py), because only the build file has the runs that failed. While a
run holds the lock the build file is the writer's, so status reads the serve file's copy of the history (as of
the last publication) and says which run is in progress from the lock file. Before any run it says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from synapscale.alerts import config as alert_config
from synapscale.alerts.report import AlertSummary, summary
from synapscale.errors import RunInProgress, StepFailed, UserError
from synapscale.ops import history
from synapscale.ops.freshness import TableFreshness, quarantine_reasons, table_freshness, thresholds
from synapscale.pipeline.lock import RECORDED_COMMANDS, Holder, pid_alive, read_holder, run_lock
from synapscale.settings import Settings


@dataclass
class Report:
    settings: Settings
    source: str | None = None  # 'build' or 'serve': the file history and freshness were read from
    runs: list[dict[str, Any]] = field(default_factory=list)
    tables: list[TableFreshness] = field(default_factory=list)
    quarantine: list[tuple[str, int]] = field(default_factory=list)
    publication: dict[str, Any] | None = None
    running: Holder | None = None
    dead_holder: Holder | None = None
    notes: list[str] = field(default_factory=list)
    alerts: AlertSummary | None = None
    alert_sinks: list[str] = field(default_factory=list)  # the sinks configured in this environment

    @property
    def last_finished(self) -> dict[str, Any] | None:
        return next((r for r in self.runs if r["status"] in history.FINISHED), None)

    def actions(self) -> list[str]:
        return next_actions(self)

    def healthy(self) -> bool:
        """What `status --check` exits 0 on: a publication exists, the last finished run published, and no
        raw table is past its error threshold."""
        last = self.last_finished
        return (
            self.publication is not None
            and (last is None or last["status"] == "published")
            and not any(t.state == "error" for t in self.tables)
        )


def gather(settings: Settings, runs: int = 10) -> Report:
    report = Report(settings)
    holder = read_holder(settings.lock_file)
    if holder is not None and holder.command in RECORDED_COMMANDS:
        if pid_alive(holder.pid):
            report.running = holder
        else:
            report.dead_holder = holder
    report.publication = _publication(settings.serve_db)
    try:
        configured = alert_config.from_env()
        report.alert_sinks = [configured.describe(sink) for sink in configured.sinks]
    except UserError as error:
        report.notes.append(str(error))
    if report.running is None and settings.build_db.exists():
        _read_build(report, runs)
    if report.source is None and settings.serve_db.exists():
        _read(report, settings.serve_db, "serve", runs)
    return report


def _read_build(report: Report, runs: int) -> None:
    settings = report.settings
    try:
        with run_lock(settings.lock_file, "status", keep_previous=True):
            _read(report, settings.build_db, "build", runs)
    except RunInProgress:
        report.running = read_holder(settings.lock_file)
    except StepFailed:
        report.notes.append(f"cannot take the run lock {settings.lock_file} (not writable by this user)")
    except duckdb.IOException:
        report.notes.append(f"{settings.build_db} is held by another process (a dbt, a client): read the serve file")


def _read(report: Report, db: Path, source: str, runs: int) -> None:
    try:
        with history.connect(db, read_only=True) as con:
            report.runs = history.recent(con, runs)
            report.alerts = summary(con)
            limits = thresholds(next((r["freshness"] for r in report.runs if r.get("freshness")), None))
            report.tables = table_freshness(con, limits)
            quarantined = next((r for r in report.runs if r.get("records_quarantined")), None)
            if quarantined is not None:
                report.quarantine = quarantine_reasons(con, quarantined["started_at"])
    except duckdb.IOException:
        if source == "build":
            raise
        report.notes.append(f"cannot open {db}")
        return
    report.source = source


def _publication(serve_db: Path) -> dict[str, Any] | None:
    if not serve_db.exists():
        return None
    try:
        with history.connect(serve_db, read_only=True) as con:
            result = con.execute("select * from meta.publication")
            names = [c[0] for c in result.description]
            row = result.fetchone()
    except duckdb.Error:
        return {"published_at": None, "published_version": None}
    return dict(zip(names, row, strict=True)) if row else None


def next_actions(report: Report) -> list[str]:
    """What the operator should do, most urgent first; empty when all is well."""
    settings, actions = report.settings, []
    if not report.runs and report.publication is None and report.running is None:
        return [f"no run yet: put landing files in {settings.landing_dir} and run `synapscale run`"]
    last = report.last_finished
    if last is not None and last["status"] == "failed":
        actions.append(
            f"run {last['run_id']} failed at {last['failing_step']}: {last['error']}. Fix that, then "
            "`synapscale run` (readers keep the last good serve file meanwhile)"
        )
    elif last is not None and last["status"] == "abandoned":
        actions.append(
            f"run {last['run_id']} was abandoned (its process died during {last['failing_step'] or 'start'}); "
            "the next run takes over. If runs keep dying, check the scheduler's time limit and the OOM killer "
            "(journalctl -u synapscale)"
        )
    if report.dead_holder is not None:
        actions.append(
            f"{report.dead_holder.describe()} ended without finishing; the next run takes over "
            "(nothing to do unless it keeps happening)"
        )
    for table in report.tables:
        if table.state in ("warn", "error"):
            limit = table.error_after_hours if table.state == "error" else table.warn_after_hours
            actions.append(
                f"raw.{table.table} is stale ({table.state}): newest row ingested {table.age_hours:.1f} h ago, "
                f"over {limit:g} h; check the feed: are new files arriving in {settings.landing_dir}?"
            )
    if report.quarantine:
        total = sum(count for _, count in report.quarantine)
        reasons = ", ".join(f"{reason} {count}" for reason, count in report.quarantine[:5])
        actions.append(
            f"{total} record(s) quarantined recently ({reasons}): see raw.quarantine (file, line, raw text, "
            'reason), e.g. synapscale sql -c "select source_file, source_line, reason_code, reason_message '
            'from raw.quarantine order by quarantined_at desc limit 20"'
        )
    actions += _alert_actions(report)
    if report.publication is None and report.running is None:
        actions.append("nothing is published yet: the dashboard has no data until a run succeeds")
    return actions


def _alert_actions(report: Report) -> list[str]:
    alerts = report.alerts
    if alerts is None:
        return []
    left = alerts.count("failed") + alerts.count("pending")
    if alerts.failing:
        detail = "; ".join(f"{sink}: {count} failed, last error: {error}" for sink, count, error in alerts.failing)
        return [
            f"{left} spend alert(s) not delivered yet ({detail}). The next run retries them; check the sink with "
            "`synapscale alerts test`, retry now with `synapscale alerts send`, list them with "
            "`synapscale alerts list --status failed`"
        ]
    if alerts.count("pending") and report.alert_sinks:
        return [f"{left} spend alert(s) pending: the next run delivers them, or now: `synapscale alerts send`"]
    return []
