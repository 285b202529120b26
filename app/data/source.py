"""The published file, its databases and connections, what a publication offers (the snapshot every page starts
from), and how the shared filters become a where clause. The rules every query here keeps are in app/data/__init__.py.
"""

from __future__ import annotations

import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from synapscale.settings import from_env

MONEY = "decimal(38, 18)"
CACHE = {"show_spinner": False, "max_entries": 256, "ttl": timedelta(hours=6)}


# --- the published file ---------------------------------------------------------------------------------------
def serve_path() -> Path:
    """The published database: $SYNAPSCALE_SERVE_DB, else <warehouse>/serve.duckdb."""
    explicit = os.environ.get("SYNAPSCALE_SERVE_DB")
    return Path(explicit).resolve() if explicit else from_env().serve_db


@dataclass(frozen=True)
class Serve:
    """One published serve file. `identity` (inode, mtime_ns, size) changes with every publication (a new file
    renamed into place), so it keys every cache entry."""

    path: str
    identity: tuple[int, int, int]


def current_serve(path: Path | None = None) -> Serve | None:
    """The serve file as it is now, or None when nothing has been published yet."""
    target = path or serve_path()
    try:
        stat = target.stat()
    except FileNotFoundError:
        return None
    return Serve(str(target), (stat.st_ino, stat.st_mtime_ns, stat.st_size))


class PublicationReplaced(RuntimeError):
    """The file at the serve path is no longer the publication asked for (a newer one was renamed over it)."""


_DATABASES: OrderedDict[Serve, duckdb.DuckDBPyConnection] = OrderedDict()
_KEEP = 3  # the publication served, one being warmed, and one a slow session may still be reading
_LOCK = threading.Lock()
_CONNECTIONS: Counter[Serve] = Counter()


def _open(serve: Serve) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB with exactly this publication attached READ_ONLY: the file is opened first and its
    identity checked, then attached through that open descriptor, so a publication renamed over it in between
    can never be read under this one's cache key."""
    descriptor = os.open(serve.path, os.O_RDONLY)
    try:
        stat = os.fstat(descriptor)
        if (stat.st_ino, stat.st_mtime_ns, stat.st_size) != serve.identity:
            raise PublicationReplaced(
                f"{serve.path} was replaced by a newer publication before it could be opened; reload the page"
            )
        database = duckdb.connect(":memory:", config={"memory_limit": "2GB"})
        try:
            database.execute(f"attach '/proc/self/fd/{descriptor}' as serve (read_only)")
        except Exception:
            database.close()
            raise
    finally:
        os.close(descriptor)  # DuckDB holds its own descriptor from here
    return database


def _database(serve: Serve) -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per publication, kept for the process (the last few publications): it saves opening
    one per query batch and keeps its buffers warm (at 10M calls, pages answer 4-5x faster).

    Never closed explicitly: closing it would break a connection still reading from it in another session. When
    it is dropped, the last connection to close releases it (and, on Linux, the replaced file)."""
    with _LOCK:
        if serve in _DATABASES:
            _DATABASES.move_to_end(serve)
            return _DATABASES[serve]
    database = _open(serve)  # outside the lock: opening a large file cold must not hold up other publications
    with _LOCK:
        database = _DATABASES.setdefault(serve, database)
        _DATABASES.move_to_end(serve)
        while len(_DATABASES) > _KEEP:
            _DATABASES.popitem(last=False)
    return database


def release_databases(keep: Collection[Serve | None] = ()) -> None:
    """Forget every publication's database but those in `keep` (the next query opens its publication anew)."""
    with _LOCK:
        for serve in [serve for serve in _DATABASES if serve not in keep]:
            del _DATABASES[serve]


def is_open(serve: Serve) -> bool:
    """Whether this process holds the publication's database open."""
    with _LOCK:
        return serve in _DATABASES


def connections(serve: Serve) -> int:
    """How many connections this process has made to one publication: a page answered from the result cache
    makes none (the warming test reads this)."""
    with _LOCK:
        return _CONNECTIONS[serve]


def connect(serve: Serve) -> duckdb.DuckDBPyConnection:
    """A fresh connection (a DuckDB cursor) to this publication's read-only database; close it after use."""
    con = _database(serve).cursor()
    with _LOCK:
        _CONNECTIONS[serve] += 1
    con.execute("set TimeZone = 'UTC'")
    con.execute("use serve")
    return con


def _row(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> tuple:
    """The first row of a query that returns exactly one (an aggregate)."""
    return con.execute(sql, params or []).fetchall()[0]


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> pl.DataFrame:
    return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()


def query(serve: Serve, sql: str, params: list[object]) -> pl.DataFrame:
    """One query's result, through a connection of its own (a loader that asks one question)."""
    with connect(serve) as con:
        return _frame(con, sql, params)


# --- filters and where the days come from -----------------------------------------------------------------------
@dataclass(frozen=True)
class Grain:
    """A mart the pages aggregate, and its DATE column (queries alias it `usage_date`, whichever day it is)."""

    relation: str
    day_column: str

    def day_range(self, start: date, end: date) -> tuple[str, list[object]]:
        return f"{self.day_column} between ? and ?", [start, end]


@dataclass(frozen=True)
class DayBoundary:
    """The marts one day boundary reads: `days` (workspace x model x provider, no user: the smallest), `users`
    (per user x model x provider) and `user_totals` (per user, models and providers summed: ~4x fewer rows than
    `users`, read for per-user figures when no provider or model is chosen)."""

    label: str
    days: Grain
    users: Grain
    user_totals: Grain

    @property
    def relations(self) -> set[str]:
        return {self.days.relation, self.users.relation, self.user_totals.relation}


# Each day boundary reads its own marts, so the local path is a second SQL source, not a second page. Local days
# come from marts.cost_daily_local (built from the calls: a UTC hour can straddle a half-hour zone's midnight) and
# its two roll-ups.
DAY_BOUNDARIES = {
    "utc": DayBoundary(
        "UTC days",
        days=Grain("marts.cost_daily", day_column="usage_date"),
        users=Grain("marts.cost_daily_by_user", day_column="usage_date"),
        user_totals=Grain("marts.cost_daily_user_totals", day_column="usage_date"),
    ),
    "local": DayBoundary(
        "Each workspace's own days",
        days=Grain("marts.cost_daily_local_by_model", day_column="local_date"),
        users=Grain("marts.cost_daily_local", day_column="local_date"),
        user_totals=Grain("marts.cost_daily_local_user_totals", day_column="local_date"),
    ),
}
# One row per call x tag (UTC days): a call with two tags is in two rows, so the tag filter takes one tag at a time
# and every figure under it stays exact.
TAGS = Grain("marts.cost_daily_by_tag", day_column="usage_date")


@dataclass(frozen=True)
class Filters:
    """What the viewer picked: an inclusive date range, the day boundary, and lists (empty = all)."""

    start: date
    end: date
    day_boundary: str = "utc"
    workspaces: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def boundary(self) -> DayBoundary:
        return DAY_BOUNDARIES[self.day_boundary]


def _where(filters: Filters, grain: Grain) -> tuple[str, list[object]]:
    """The where clause (placeholders only) and its parameters, for one grain."""
    clause, params = grain.day_range(filters.start, filters.end)
    clauses = [clause]
    for column, values in (
        ("workspace_id", filters.workspaces),
        ("provider", filters.providers),
        ("model", filters.models),
    ):
        if values:
            clauses.append(f"list_contains(?, {column})")
            params.append(list(values))
    if filters.tags and grain == TAGS:
        clauses.append("tag = ?")
        params.append(filters.tags[0])
    return " and ".join(clauses), params


def grain_of(filters: Filters, users: bool = False) -> Grain:
    """The mart the filters read: the tag mart when a tag is chosen (UTC days), else their boundary's: per user
    (summed over models and providers unless some are chosen) or not."""
    if filters.tags and filters.day_boundary == "utc":
        return TAGS
    boundary = filters.boundary
    if not users:
        return boundary.days
    return boundary.users if filters.providers or filters.models else boundary.user_totals


def _scope(serve: Serve, filters: Filters, users: bool = False) -> tuple[str, str, list[object]]:
    """(relation, where clause, parameters) for the filters on the day or user grain of their boundary."""
    grain = grain_of(filters, users)
    where, params = _where(filters, grain)
    return grain.relation, where, params


# --- the snapshot: what one publication offers, read once through one connection --------------------------------
@dataclass(frozen=True)
class Publication:
    published_at: datetime | None
    usage_log_rows: int | None


@dataclass(frozen=True)
class Choices:
    """What the filters can offer for one publication and day boundary."""

    first_day: date | None
    last_day: date | None  # the last day with usage: the default range ends here
    workspaces: dict[str, str]  # workspace_id -> display label
    providers: tuple[str, ...]
    models: tuple[str, ...]
    tags: tuple[str, ...]  # empty when the tag mart is not published (or for local days)
    last_billed_day: date | None = None  # later when late usage is billed in a month without calls

    @property
    def end_day(self) -> date | None:
        """The last day a viewer can pick."""
        return max(day for day in (self.last_day, self.last_billed_day) if day) if self.last_day else None


@dataclass(frozen=True)
class Snapshot:
    """Everything a page needs before its own queries: one connection per publication, not one per question
    (opening a DuckDB instance costs ~15 ms, far more than these queries)."""

    relations: dict[str, frozenset[str]]  # schema.table -> its columns (marts and meta only)
    publication: Publication
    workspace_names: dict[str, str]
    choices: dict[str, Choices]  # per day boundary whose marts are published


@st.cache_data(**CACHE)
def snapshot(serve: Serve) -> Snapshot:
    with connect(serve) as con:
        rows = con.execute(
            "select schema_name || '.' || table_name, list(column_name) from duckdb_columns() "
            "where database_name = 'serve' and schema_name in ('marts', 'meta') group by 1"
        ).fetchall()
        relations = {relation: frozenset(columns) for relation, columns in rows}
        published = Publication(None, None)
        if "meta.publication" in relations:
            published = Publication(*_row(con, "select max(published_at), max(usage_log_rows) from meta.publication"))
        names, last_billed = {}, None
        if "marts.invoices" in relations:
            names = dict(
                con.execute(
                    "select workspace_id, max(workspace_name) from marts.invoices "
                    "where workspace_name is not null group by 1"
                ).fetchall()
            )
            (last_billed,) = _row(con, "select max(billing_period_end_date) from marts.invoices")
        offered = {
            name: _choices(con, boundary.days, name == "utc" and TAGS.relation in relations, names, last_billed)
            for name, boundary in DAY_BOUNDARIES.items()
            if boundary.relations <= relations.keys()
        }
    return Snapshot(relations, published, names, offered)


def _choices(
    con: duckdb.DuckDBPyConnection,
    grain: Grain,
    tagged: bool,
    names: dict[str, str],
    last_billed: date | None,
) -> Choices:
    distinct = [f"coalesce(array_agg(distinct {c} order by {c}), [])" for c in ("workspace_id", "provider", "model")]
    tags = f"(select coalesce(array_agg(distinct tag order by tag), []) from {TAGS.relation})"
    first, last, workspace_ids, providers, models, tag_list = _row(
        con,
        f"select min({grain.day_column}), max({grain.day_column}), {', '.join(distinct)}, "
        f"{tags if tagged else '[]::varchar[]'} from {grain.relation}",
    )
    labels = {ws: f"{names[ws]} ({ws})" if names.get(ws) else ws for ws in workspace_ids}
    return Choices(first, last, labels, tuple(providers), tuple(models), tuple(tag_list), last_billed)


def catalog(serve: Serve) -> dict[str, frozenset[str]]:
    """Relation -> its columns, for schemas marts and meta: what this publication offers."""
    return snapshot(serve).relations


def publication(serve: Serve) -> Publication:
    """When the serve file was published (None for a file published by hand, without meta.publication)."""
    return snapshot(serve).publication


def choices(serve: Serve, day_boundary: str) -> Choices:
    return snapshot(serve).choices[day_boundary]


def has_day_boundary(serve: Serve, day_boundary: str) -> bool:
    return day_boundary in snapshot(serve).choices


def where(
    filters: Filters,
    *,
    day: str | None = None,
    workspace: str | None = None,
    provider: str | None = None,
    model: str | None = None,
) -> tuple[str, list[object]]:
    """The shared filters as a where clause on any mart: each argument names the mart's column for that filter
    (None: the mart has no such column, the filter does not apply). Placeholders only; values are parameters."""
    clauses: list[str] = []
    params: list[object] = []
    if day:
        clauses.append(f"{day} between ? and ?")
        params += [filters.start, filters.end]
    for column, values in ((workspace, filters.workspaces), (provider, filters.providers), (model, filters.models)):
        if column and values:
            clauses.append(f"list_contains(?, {column})")
            params.append(list(values))
    return " and ".join(clauses) or "true", params
