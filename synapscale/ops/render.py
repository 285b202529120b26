"""`synapscale status` as text: plain aligned columns that read well in a terminal, a log and an e-mail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from synapscale.ops.freshness import TableFreshness
from synapscale.ops.status import Report


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Left-aligned columns, two spaces apart."""
    cells = [[str(h) for h in headers], *([_text(v) for v in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return ["  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip() for row in cells]


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}s" if value < 120 else f"{value / 60:.1f}min"


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:g} h"


def _run_row(run: dict[str, Any]) -> list[object]:
    files = f"{run['files_loaded'] or 0}/{run['files_skipped'] or 0}/{run['files_failed'] or 0}"
    tests = f"{run['tests_passed'] or 0}/{run['tests_failed'] or 0}/{run['tests_warned'] or 0}"
    note = run["error"] or run["warnings"] or ""
    note = note.splitlines()[0] if note else ""
    if len(note) > 90:
        note = note[:87] + "..."
    return [
        run["run_id"],
        run["command"],
        run["status"],
        run["started_at"],
        _seconds(run["total_seconds"]),
        files if run["files_seen"] is not None else "-",
        run["events_loaded"],
        run["records_quarantined"],
        tests if run["tests_passed"] is not None else "-",
        run["published_version"],
        note,
    ]


def _table_row(t: TableFreshness) -> list[object]:
    age = None if t.age_hours is None else round(t.age_hours, 1)
    limits = f"{_hours(t.warn_after_hours)} / {_hours(t.error_after_hours)}"
    return [
        f"raw.{t.table}",
        t.rows,
        t.newest_ingested_at,
        _hours(age),
        limits,
        t.newest_event_at,
        t.event_column,
        t.state,
    ]


def render_report(report: Report) -> str:
    settings = report.settings
    lines = [f"synapscale status: warehouse {settings.warehouse_dir}"]
    publication = report.publication
    if publication is None:
        lines.append("published: nothing yet")
    else:
        size = settings.serve_db.stat().st_size / 1e6 if settings.serve_db.exists() else 0
        lines.append(
            f"published: version {_text(publication.get('published_version'))} at "
            f"{_text(publication.get('published_at'))} UTC by run {_text(publication.get('run_id'))} "
            f"({size:.1f} MB, {settings.serve_db})"
        )
    running = report.running
    lines.append(f"in progress: {running.describe()}" if running else "in progress: no run")
    lines += _alerts_line(report)
    if report.source == "serve":
        lines.append("(history and freshness below are the serve file's copy, as of the last publication)")
    lines += [f"note: {note}" for note in report.notes]
    if report.runs:
        lines += ["", "last runs (newest first; files loaded/skipped/failed; tests passed/failed/warned)"]
        headers = ("run", "command", "status", "started (UTC)", "took", "files", "events", "quarantined", "tests",
                   "version", "error / warning")  # fmt: skip
        lines += table(headers, [_run_row(run) for run in report.runs])
    if report.tables:
        lines += ["", "raw tables (age = now - newest ingested_at; thresholds from dbt source freshness)"]
        rows = [_table_row(t) for t in report.tables]
        headers = ("table", "rows", "newest ingested_at", "age", "warn / error", "newest event", "event column",
                   "state")  # fmt: skip
        lines += table(headers, rows)
    actions = report.actions()
    lines += ["", "next actions" if actions else "next actions: none, all is well"]
    lines += [f"- {action}" for action in actions]
    return "\n".join(lines)


def _alerts_line(report: Report) -> list[str]:
    sinks = ", ".join(report.alert_sinks) or "no sink configured (SYNAPSCALE_ALERT_WEBHOOK_URL, SYNAPSCALE_ALERT_JSONL)"
    if report.alerts is None:
        return [f"spend alerts: none recorded yet; sinks: {sinks}"]
    counts = ", ".join(f"{report.alerts.count(s)} {s}" for s in ("sent", "failed", "pending", "suppressed"))
    return [f"spend alerts (ops.alert_outbox): {counts}; sinks: {sinks}"]
