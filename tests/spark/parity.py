"""DuckDB against Spark, table by table: the same rows with the same values (money to the last decimal).

Both sides are DuckDB files: the DuckDB pipeline's serve file and Spark's tables read back through Arrow
(synapscale/spark.py, read_back), so a value that differs differs in the engines' output, not in a reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

SCHEMAS = ("core", "marts", "seeds")


@dataclass(frozen=True)
class TableParity:
    table: str  # schema.name
    rows: int  # DuckDB's row count
    problem: str | None  # None: equal


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_catalog = ? and table_type = 'BASE TABLE' and table_schema in ?",
        [catalog, list(SCHEMAS)],
    ).fetchall()
    return {name for (name,) in rows}


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {name: sql_type for name, sql_type, *_ in con.execute(f"describe {relation}").fetchall()}


def compare(duckdb_file: Path, spark_file: Path, only: set[str] | None = None) -> list[TableParity]:
    """Every core table, mart and seed of both files (or the `only` tables, schema.name), compared: the same
    tables, the same column names and types, and the same rows (EXCEPT ALL both ways, duplicates counted)."""
    results = []
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach '{duckdb_file}' as d (read_only)")
        con.execute(f"attach '{spark_file}' as s (read_only)")
        on_duckdb, on_spark = _tables(con, "d"), _tables(con, "s")
        if only is not None:
            on_duckdb, on_spark = on_duckdb & only, on_spark & only
        for table in sorted(on_duckdb | on_spark):
            left, right = f"d.{table}", f"s.{table}"
            if table not in on_spark or table not in on_duckdb:
                missing = "Spark" if table not in on_spark else "DuckDB"
                results.append(TableParity(table, 0, f"not built on {missing}"))
                continue
            rows = con.execute(f"select count(*) from {left}").fetchone()[0]
            columns, spark_columns = _columns(con, left), _columns(con, right)  # Spark: partition columns last
            results.append(TableParity(table, rows, _difference(con, left, right, columns, spark_columns)))
    return results


# Column types that are the same values in another engine's spelling: Spark keeps JSON as text.
SAME_VALUES = {("JSON", "VARCHAR")}
# DOUBLE columns (ratios, scores, latency percentiles) are compared to this many significant digits: a sum of
# doubles depends on the order of its terms, which no engine fixes. Money is DECIMAL and compared exactly.
DOUBLE_DIGITS = 12


def _difference(
    con: duckdb.DuckDBPyConnection, left: str, right: str, columns: dict[str, str], spark_columns: dict[str, str]
) -> str | None:
    if set(columns) != set(spark_columns):
        only_duckdb, only_spark = sorted(set(columns) - set(spark_columns)), sorted(set(spark_columns) - set(columns))
        return f"columns differ: only on DuckDB {only_duckdb}, only on Spark {only_spark}"
    types = [
        f"{name} {duck} vs {spark_columns[name]}"
        for name, duck in columns.items()
        if duck != spark_columns[name] and (duck, spark_columns[name]) not in SAME_VALUES
    ]
    if types:
        return "types differ: " + ", ".join(types)

    def value(name: str, sql_type: str) -> str:
        if sql_type == "DOUBLE":
            return f'printf(\'%.{DOUBLE_DIGITS - 1}e\', "{name}") as "{name}"'
        return f'"{name}"::varchar as "{name}"' if sql_type == "JSON" else f'"{name}"'

    listed = ", ".join(value(name, sql_type) for name, sql_type in columns.items())
    only_duckdb = f"select {listed} from {left} except all select {listed} from {right}"
    only_spark = f"select {listed} from {right} except all select {listed} from {left}"
    counts = con.execute(f"select (select count(*) from ({only_duckdb})), (select count(*) from ({only_spark}))")
    missing, extra = counts.fetchone()
    if missing == extra == 0:
        return None
    example = con.execute(f"{only_duckdb} limit 1").fetchone() if missing else None
    spark_example = con.execute(f"{only_spark} limit 1").fetchone() if extra else None
    return (
        f"{missing} DuckDB rows not on Spark, {extra} Spark rows not on DuckDB; "
        f"e.g. DuckDB {example} / Spark {spark_example} (columns {list(columns)})"
    )
