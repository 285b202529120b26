"""De-duplication of usage events by event_id: the one place the rule lives before dbt.

Rule: a valid usage event whose event_id is already in raw.usage_events, or appeared earlier in the same file,
is a duplicate (skipped and counted); the first valid occurrence wins. Feedback versions and snapshots are
never duplicates (the latest version wins downstream). An invalid record is quarantined, never a duplicate.
"""

from __future__ import annotations

import duckdb

from ingest import validate
from ingest.contract import RAW_SCHEMA, RecordType


def find_duplicates(con: duckdb.DuckDBPyConnection, record_type: RecordType, key_sql: str) -> tuple[int, int]:
    """(records in `_mapped`, duplicates): `_duplicates(_rec)` holds the valid usage events whose event_id is
    already in raw.usage_events or appeared earlier in the file (the first valid occurrence wins). Feedback
    versions and snapshots are never duplicates.

    A cheap screen on the raw keys comes first: when the file's non-empty keys are all distinct and none is in
    raw.usage_events, no valid record can be a duplicate (valid records are a subset, and their key is the same
    conversion of the same value), so the per-record verdicts are not needed. Keys are compared by hash there:
    as many distinct hashes as keys proves the keys distinct, and a hash collision only means taking the exact
    path. Otherwise the verdicts are materialised (narrow: record number, key, reason) and deduped exactly."""
    if record_type.name != "usage":
        return con.execute("select count(*) from _mapped").fetchall()[0][0], 0
    total, keys, distinct = con.execute(
        f"select count(*), count(k), count(distinct hash(k)) filter (where k is not null) "
        f"from (select {key_sql} as k from _mapped)"
    ).fetchall()[0]
    if keys == distinct:
        clash = con.execute(
            f"select exists (select 1 from {RAW_SCHEMA}.usage_events e "
            f"semi join (select {key_sql} as k from _mapped) m on m.k = e.event_id)"
        ).fetchall()[0][0]
        if not clash:
            return total, 0
    validate.materialize_verdicts(con, record_type)
    con.execute(
        f"""
        create or replace temp table _duplicates as
        with valid as (select _rec, _key as event_id from _verdicts where _reason_code is null),
        existing as (
            select distinct e.event_id from {RAW_SCHEMA}.usage_events e
            semi join (select distinct event_id from valid) v on v.event_id = e.event_id
        ),
        first_in_file as (select event_id, min(_rec) as _rec from valid group by event_id)
        select _rec from valid
        where event_id in (select event_id from existing)
            or _rec not in (select _rec from first_in_file)
        """
    ).fetchall()
    return total, con.execute("select count(*) from _duplicates").fetchall()[0][0]
