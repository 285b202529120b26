"""After an upgrade: incremental tables an earlier version of the project built with other columns.

An incremental model only appends to (or replaces slices of) the table it built before, and its contract makes
dbt refuse a table whose columns differ (`on_schema_change='fail'`). So after an upgrade that adds, drops or
renames a column of an incremental model, a plain `dbt build` fails on that model. A run does not leave the
user to find `--full-refresh`: before building, when the project is not the one the last clean build recorded
(pipeline/state.py) and the build file already holds tables, it parses the project and compares each
incremental model's declared columns with the table's. Any difference makes this run a full refresh, said in
its progress and recorded in run history as `full refresh`. The incremental-equals-full-refresh invariant
(tests/warehouse/test_marts_incremental.py) is what makes that safe: the rebuilt tables hold what the
incremental history would have.

`core.billing_events` is the exception: it keeps issued invoices and a full refresh never rebuilds it
(`full_refresh = false`, docs/core.md#full-refresh). Columns of its that differ stop the run with the command
that rebuilds it deliberately.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from synapscale.errors import StepFailed
from synapscale.pipeline.dbt import Progress, run_dbt
from synapscale.pipeline.state import project_is_recorded
from synapscale.settings import Settings


@dataclass(frozen=True)
class Drift:
    table: str  # schema.name
    missing: tuple[str, ...]  # declared by the project, absent from the table
    extra: tuple[str, ...]  # in the table, no longer declared
    rebuilt_by_full_refresh: bool

    def describe(self) -> str:
        parts = [f"+{name}" for name in self.missing] + [f"-{name}" for name in self.extra]
        return f"{self.table} ({', '.join(parts)})"


def _table_columns(settings: Settings) -> dict[str, set[str]]:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        rows = con.execute(
            "select table_schema || '.' || table_name, lower(column_name) from information_schema.columns "
            "where table_catalog = current_database() and table_schema not in ('raw', 'ops', 'main')"
        ).fetchall()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    return columns


def incremental_drift(settings: Settings, progress: Progress) -> list[Drift]:
    """The incremental tables whose columns differ from the project's contracts; [] without a dbt parse when
    the project is the one the last clean build recorded or no model table exists yet."""
    if not settings.build_db.exists() or project_is_recorded(settings):
        return []
    tables = _table_columns(settings)
    if not tables:
        return []
    progress("  the dbt project changed since the last build: checking incremental tables' columns (dbt parse)")
    run_dbt(settings, ["parse"], progress=lambda _line: None)
    manifest = json.loads((settings.dbt_work_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    drifts = []
    for node in manifest["nodes"].values():
        config = node.get("config", {})
        if node.get("resource_type") != "model" or config.get("materialized") != "incremental":
            continue
        table = f"{node['schema']}.{node.get('alias') or node['name']}"
        declared = {name.lower() for name in node.get("columns", {})}
        existing = tables.get(table)
        if not declared or existing is None or declared == existing:
            continue
        drifts.append(
            Drift(
                table,
                tuple(sorted(declared - existing)),
                tuple(sorted(existing - declared)),
                config.get("full_refresh") is not False,
            )
        )
    return sorted(drifts, key=lambda drift: drift.table)


def needs_full_refresh(settings: Settings, progress: Progress) -> bool:
    """True when this run must be a full refresh (see module docstring); raises StepFailed for a table a full
    refresh would not rebuild."""
    drifts = incremental_drift(settings, progress)
    kept = [drift for drift in drifts if not drift.rebuilt_by_full_refresh]
    if kept:
        raise StepFailed(
            "dbt build",
            f"{'; '.join(drift.describe() for drift in kept)} was built by an earlier version of the project with "
            "other columns, and a full refresh keeps it (it holds issued invoices). Rebuild it deliberately, knowing "
            "that closed months are billed anew (docs/core.md#full-refresh): drop core.billing_events from the "
            "build file, then run synapscale run --full-refresh",
        )
    if drifts:
        progress(
            f"  built by an earlier version with other columns: {'; '.join(drift.describe() for drift in drifts)}"
            " -> this run rebuilds every table in full (--full-refresh), once"
        )
    return bool(drifts)
