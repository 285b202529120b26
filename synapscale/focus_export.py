"""One billing month of marts.focus_charges (FinOps FOCUS 1.2, docs/marts/focus.md) as a CSV or Parquet file.

Reads the published serve file read-only, so it runs beside the dashboard and a scheduled run. The file holds the
FOCUS columns and the x_ extension columns (not the mart's lineage column). Parquet keeps the types (DECIMAL(38,18)
money, UTC timestamps, Tags as JSON text); CSV writes money as plain decimal text and date/times as ISO 8601 in UTC
('2025-01-31T00:00:00Z', FOCUS's Date/Time format). The file is written beside its destination and renamed into
place, so a reader never sees half of it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from synapscale.errors import UserError

RELATION = "marts.focus_charges"
INTERNAL_COLUMNS = ("x_LastIngestedAt",)
FORMATS = {".csv": "csv", ".parquet": "parquet"}


@dataclass(frozen=True)
class Export:
    path: Path
    rows: int
    billed_cost: str  # the month's BilledCost total, unrounded, as text


def export_focus(serve_db: Path, month: date, out: Path) -> Export:
    """Write the FOCUS rows billed in `month` (its first day) from `serve_db` to `out` (.csv or .parquet)."""
    file_format = FORMATS.get(out.suffix.lower())
    if file_format is None:
        raise UserError(f"export focus: cannot tell the format of {out}; name it *.csv or *.parquet")
    if not serve_db.exists():
        raise UserError(f"export focus: no serve file at {serve_db}; run `synapscale run` first")
    if not out.parent.is_dir():
        raise UserError(f"export focus: no such directory: {out.parent}")
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with duckdb.connect(str(serve_db), read_only=True) as con:
            con.execute("set TimeZone = 'UTC'")
            select = _select(con, file_format, month)
            rows, billed = con.execute(
                f'select count(*), coalesce(sum("BilledCost"), 0)::varchar from ({select})'
            ).fetchone()
            options = "format parquet, compression zstd" if file_format == "parquet" else "format csv, header true"
            con.execute(f"copy ({select}) to '{_quoted(temporary)}' ({options})")
        os.replace(temporary, out)
    except duckdb.Error as error:
        raise UserError(f"export focus: {serve_db} cannot be read as a published warehouse: {error}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return Export(out, rows, billed)


def _select(con: duckdb.DuckDBPyConnection, file_format: str, month: date) -> str:
    schema, table = RELATION.split(".")
    columns = [
        (name, data_type)
        for name, data_type in con.execute(
            "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? "
            "order by column_index",
            [schema, table],
        ).fetchall()
        if name not in INTERNAL_COLUMNS
    ]
    if not columns:
        raise UserError(f"export focus: {RELATION} is not in the serve file; run `synapscale run` to publish it")
    select_list = ", ".join(_column(name, data_type, file_format) for name, data_type in columns)
    return (
        f"select {select_list} from {RELATION} where \"x_BillingPeriod\" = '{month.isoformat()}'::date "
        'order by "ChargePeriodStart", "SubAccountId", "x_Model", "ProviderName", "x_TokenBucket", "ChargeCategory"'
    )


def _column(name: str, data_type: str, file_format: str) -> str:
    quoted = f'"{name}"'
    if file_format == "csv" and data_type.startswith("TIMESTAMP"):
        return f"strftime({quoted}, '%Y-%m-%dT%H:%M:%SZ') as {quoted}"
    if data_type == "JSON":  # FOCUS key-value format: JSON text (Parquet readers would see bytes otherwise)
        return f"{quoted}::varchar as {quoted}"
    return quoted


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
