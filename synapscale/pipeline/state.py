"""When a run may skip `dbt build`: nothing it reads changed since the last build that passed.

A `dbt build` is a function of the project (models, macros, seeds, singular tests, dbt_project.yml,
profiles.yml, the dbt versions) and of the raw tables. After a clean, full `dbt build` the pipeline writes
both, with that invocation's id, to `<warehouse>/dbt/target/build_state.json`. A later `synapscale run`
skips dbt build (and says so: run history `build_mode` 'skipped') only when, after its ingest:

1. it is not `--full-refresh`;
2. the last dbt invocation against the build file (the pipeline's or plain dbt's, verify.last_invocation)
   is that recorded build: a `dbt run` or `dbt build --select` by hand in between forces a build;
3. the project's hash is the same: any edit of a model, macro, seed (`synapscale prices` included), test or
   setting forces a build;
4. the raw fingerprint is the same: each raw table's row count and newest `ingested_at`, and the load
   manifest's newest load. Ingest and `synapscale billing close` only ever add rows, so an unchanged
   fingerprint means unchanged raw data (the newest stamp also catches rows rewritten in place by hand).

No model reads the clock (no current_date or now() in models/ or macros/: tests/pipeline/test_build_skip.py
checks), so the same project on the same raw data builds the same tables, and skipping changes nothing but
the time taken.

Tests the pipeline's builds leave out (dbt_build_args):
- always, the data tests of the views that hold every call, each time recomputed from all of raw (models
  tagged `call_rows`: int_usage_events_deduplicated, int_usage_priced, int_tags_normalised): core.usage_logs
  and core.tags carry the same tests (unique and not null keys; accepted price_source, cost_status and
  unpriced_reason) over the same rows. A full build copies every row of int_usage_priced into usage_logs and
  of int_tags_normalised into tags; an incremental one adds the views' new rows, while the old ones already
  passed (raw is only appended to). Testing the views too re-prices every call once per test: at 10M events
  that was minutes of a full build spent on the same checks. A plain `dbt build` still runs them;
- when the project is the one a recorded clean build ran them on (the record keeps that project hash), the
  unit tests: a function of the project alone (their rows are fixtures, never the warehouse's data).
stg_raw__usage_events keeps its tests: its unique event_id is what says ingest let a re-sent call through.
Every other data test runs on every build, but while the recorded build stands (rules 1-3: it is the last
invocation and the project is the same) the tests of the tables that grow with the calls check only the rows
loaded after the newest ingested_at that build saw (tested_through; macros/tests/tested_slice.sql): the rows
through it passed these tests then, and a pipeline run never rewrites them. docs/operations.md has the rule.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import duckdb

from ingest.contract import RAW_SCHEMA
from synapscale.pipeline.results import Invocation
from synapscale.pipeline.verify import last_invocation
from synapscale.settings import Settings

# What dbt reads from the project folder (files and folders, relative to it).
PROJECT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")
VERSIONED_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")
STATE_FILE = "build_state.json"
TESTED_THROUGH_ENV = "SYNAPSCALE_TESTED_THROUGH"  # read by macros/tests/tested_slice.sql
CALL_VIEW_TESTS = ("tag:call_rows,test_type:data",)  # tested on core.usage_logs and core.tags (above)
UNIT_TESTS = ("resource_type:unit_test",)
PIPELINE_EXCLUDES = (CALL_VIEW_TESTS, UNIT_TESTS + CALL_VIEW_TESTS)  # what dbt_build_args may leave out


@dataclass(frozen=True)
class BuildState:
    invocation_id: str
    project_hash: str
    raw_fingerprint: list[list[object]]
    unit_tested_hash: str  # the project hash the unit tests last passed on


def state_path(settings: Settings) -> Path:
    return settings.dbt_work_dir / "target" / STATE_FILE


def project_hash(project_dir: Path) -> str:
    """sha256 over the path and bytes of every file dbt reads, and the dbt and DuckDB versions."""
    digest = hashlib.sha256()
    for package in VERSIONED_PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}\n".encode())
    for name in PROJECT_INPUTS:
        root = project_dir / name
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            relative = path.relative_to(project_dir).as_posix()
            if "__pycache__" in relative or path.name.startswith("."):
                continue
            digest.update(f"{relative}\n{path.stat().st_size}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def raw_fingerprint(build_db: Path) -> list[list[object]]:
    """Each raw table's (or view's) name, row count and newest ingested_at, and the newest load of the manifest
    (the newest stamp also sees rows changed in place, not only rows added)."""
    with duckdb.connect(str(build_db), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = ? union "
                "select view_name from duckdb_views() where schema_name = ? order by 1",
                [RAW_SCHEMA, RAW_SCHEMA],
            ).fetchall()
        ]
        stamped = {
            row[0]
            for row in con.execute(
                "select table_name from duckdb_columns() where schema_name = ? and column_name = 'ingested_at'",
                [RAW_SCHEMA],
            ).fetchall()
        }
        fingerprint: list[list[object]] = []
        for name in names:
            newest = "max(ingested_at)::varchar" if name in stamped else "null"
            count, latest = con.execute(f'select count(*), {newest} from {RAW_SCHEMA}."{name}"').fetchall()[0]
            fingerprint.append([name, count, latest])
        if "load_manifest" in names:
            newest = con.execute(f"select max(load_id)::varchar from {RAW_SCHEMA}.load_manifest").fetchall()[0][0]
            fingerprint.append(["load_manifest newest load", newest])
    return fingerprint


def _read(settings: Settings) -> BuildState | None:
    return _read_file(state_path(settings))


def _read_file(path: Path) -> BuildState | None:
    try:
        return BuildState(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def recorded_project_hash(settings: Settings) -> str | None:
    """The project hash the last clean, full build recorded; None before the first (or an older version's)."""
    state = _read(settings)
    return state.project_hash if state is not None else None


def project_is_recorded(settings: Settings) -> bool:
    """Whether the project is byte for byte the one the last clean build recorded (then its tables have the
    declared columns, and dbt's saved parse in the work folder is of this project)."""
    return recorded_project_hash(settings) == project_hash(settings.project_dir)


def dbt_build_args(settings: Settings, full_refresh: bool) -> list[str]:
    """`dbt build` (with --full-refresh) without the call views' data tests, and without the unit tests when
    they passed on this very project (see above)."""
    if full_refresh:
        return ["build", "--full-refresh", "--exclude", *CALL_VIEW_TESTS]
    state = _read(settings)
    if state is not None and state.unit_tested_hash == project_hash(settings.project_dir):
        return ["build", "--exclude", *UNIT_TESTS, *CALL_VIEW_TESTS]
    return ["build", "--exclude", *CALL_VIEW_TESTS]


def _left_out_unit_tests(invocation: Invocation) -> bool:
    return UNIT_TESTS[0] in invocation.exclude


def tested_project_is_current(invocation: Invocation, project_dir: Path) -> bool:
    """Whether the pipeline recorded `invocation` (its build_state.json sits beside its run_results.json) and
    every test passed on the project as it is now."""
    state = _read_file(invocation.path.parent / STATE_FILE)
    if state is None or state.invocation_id != invocation.invocation_id:
        return False
    return state.unit_tested_hash == project_hash(project_dir)


def record_build(settings: Settings, invocation: Invocation) -> None:
    """After a clean, full dbt build: what it built from, and the project its unit tests passed on."""
    current = project_hash(settings.project_dir)
    if _left_out_unit_tests(invocation):
        previous = _read(settings)
        unit_tested = previous.unit_tested_hash if previous is not None else ""
    else:
        unit_tested = current
    state = BuildState(invocation.invocation_id, current, raw_fingerprint(settings.build_db), unit_tested)
    path = state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(state)) + "\n", encoding="utf-8")


def standing_build(settings: Settings) -> BuildState | None:
    """The record of the last clean, full build when it is still what the tables are: the last dbt invocation
    against the build file, on the project as it is now (rules 2 and 3); None otherwise."""
    state = _read(settings)
    if state is None:
        return None
    last = last_invocation(settings)
    if last is None or last.invocation_id != state.invocation_id or not is_full_clean_build(last):
        return None
    if state.project_hash != project_hash(settings.project_dir):
        return None
    return state


def unchanged_since(settings: Settings, standing: BuildState) -> str | None:
    """The standing build's invocation id when the raw data is as it saw it (rule 4: the build may be skipped);
    None when dbt must build."""
    return standing.invocation_id if standing.raw_fingerprint == raw_fingerprint(settings.build_db) else None


def tested_through(standing: BuildState) -> str | None:
    """The newest ingested_at of the raw data the standing build saw (text DuckDB casts back to TIMESTAMPTZ): a
    build on top of it may test only the rows loaded after it (TESTED_THROUGH_ENV). None when raw was empty."""
    stamps = [entry[2] for entry in standing.raw_fingerprint if len(entry) == 3 and isinstance(entry[2], str)]
    return max(stamps, key=datetime.fromisoformat) if stamps else None


def is_full_clean_build(invocation: Invocation) -> bool:
    """A `dbt build` of the whole project (tests already passed may be left out, dbt_build_args) with no error
    or failing test and no what-if vars."""
    return (
        invocation.command == "build"
        and not invocation.select
        and invocation.exclude in ((), *PIPELINE_EXCLUDES)
        and invocation.clean
        and not invocation.vars
    )
