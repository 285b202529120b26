"""The Spark engine (docs/spark.md): the raw layer as Parquet files for Spark, and Spark's tables back as DuckDB.

Ingest stays what it is (DuckDB's schema raw, ingest/). For a Spark build:

1. `export_raw_layer` writes every raw table of the build file as Parquet under `<spark>/raw/<table>/`: one
   immutable file per load for the record tables (named by load_id, written once), a rewritten single file for
   the small tables (load_manifest, billing_period_closures). Columns keep the raw contract's types (JSON as
   text, which Spark reads as string). Spark reads these through external tables the dbt on-run-start hook
   creates (macros/spark.sql, stage_raw_lake), so there is no second loader with its own rules.
2. dbt builds with `--target spark` (profiles.yml): managed Parquet tables under `<spark>/tables`, the Hive
   metastore (Derby) under `<spark>/metastore_db`.
3. `read_back` copies every table dbt built (core, marts, seeds) from Spark's Parquet files into a DuckDB file,
   `<spark>/serve.duckdb`: analysts, the dashboard and the parity test read that file like a serve file.

`<spark>` is `<warehouse>/spark` ($SYNAPSCALE_SPARK_WAREHOUSE for dbt).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import yaml

from ingest.contract import RAW_SCHEMA, RECORD_TYPES

Progress = Callable[[str], None]

# Raw tables with a load_id column: one file per load. The others are small and rewritten whole.
PER_LOAD_TABLES = (*(rt.table for rt in RECORD_TYPES.values()), "quarantine")
WHOLE_TABLES = ("load_manifest", "billing_period_closures")
# A zero-row file per table, so Spark can read the schema of a table no load has rows in yet.
SCHEMA_FILE = "schema.parquet"


def spark_dir(warehouse_dir: Path) -> Path:
    return warehouse_dir.resolve() / "spark"


def dbt_env(warehouse_dir: Path) -> dict[str, str]:
    """Environment the spark target reads (profiles.yml)."""
    return {"SYNAPSCALE_SPARK_WAREHOUSE": str(spark_dir(warehouse_dir))}


def serve_file(warehouse_dir: Path) -> Path:
    return spark_dir(warehouse_dir) / "serve.duckdb"


def missing_requirements() -> str | None:
    """Why a Spark build cannot run here (what to install), or None."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        return 'dbt-spark and pyspark are not installed; run `pip install -e ".[spark]"` (docs/spark.md)'
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Spark needs Java 17 or later (Debian: sudo apt-get install -y openjdk-17-jre-headless)"
    return None


# --- 1. the raw layer ---------------------------------------------------------------------------------------


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    rows = con.execute(f"describe {RAW_SCHEMA}.{table}").fetchall()
    casts = []
    for name, sql_type, *_ in rows:
        spark_type = "VARCHAR" if sql_type.upper() == "JSON" else sql_type
        casts.append(f'cast("{name}" as {spark_type}) as "{name}"')
    return ", ".join(casts)


def _write(con: duckdb.DuckDBPyConnection, query: str, target: Path, params: list[Any] | None = None) -> None:
    """COPY to `.<name>.tmp` (neither engine lists dot-files), fsync, rename into place."""
    temporary = target.with_name(f".{target.name}.tmp")
    con.execute(f"copy ({query}) to '{temporary}' (format parquet, compression zstd)", params or [])
    with temporary.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def export_raw_layer(build_db: Path, warehouse_dir: Path, *, progress: Progress = print) -> dict[str, int]:
    """Write the loads not yet exported (per record table) and the small tables; returns files written."""
    root = spark_dir(warehouse_dir) / "raw"
    began = time.monotonic()
    written: dict[str, int] = {}
    with duckdb.connect(str(build_db), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        for table in PER_LOAD_TABLES:
            folder = root / table
            folder.mkdir(parents=True, exist_ok=True)
            for stale in folder.glob(".*.tmp"):  # a crash mid-write: never listed, safe to delete
                stale.unlink()
            select = f"select {_columns(con, table)} from {RAW_SCHEMA}.{table}"
            if not (folder / SCHEMA_FILE).exists():
                _write(con, f"{select} where false", folder / SCHEMA_FILE)
            done = {path.stem for path in folder.glob("*.parquet")}
            loads = [
                load_id
                for (load_id,) in con.execute(f"select distinct load_id from {RAW_SCHEMA}.{table}").fetchall()
                if load_id not in done
            ]
            for load_id in loads:
                _write(con, f"{select} where load_id = ?", folder / f"{load_id}.parquet", [load_id])
            written[table] = len(loads)
        for table in WHOLE_TABLES:
            folder = root / table
            folder.mkdir(parents=True, exist_ok=True)
            _write(con, f"select {_columns(con, table)} from {RAW_SCHEMA}.{table}", folder / f"{table}.parquet")
            written[table] = 1
    new = {table: count for table, count in written.items() if count and table not in WHOLE_TABLES}
    progress(f"  raw layer → {root}: new load files {new or 'none'} ({time.monotonic() - began:.1f}s)")
    return written


# --- 3. Spark's tables back as DuckDB -------------------------------------------------------------------------


def spark_settings(project_dir: Path, warehouse_dir: Path) -> dict[str, str]:
    """The spark target's server_side_parameters (profiles.yml, the one copy), rendered for this warehouse."""
    import jinja2

    profile = yaml.safe_load((project_dir / "profiles.yml").read_text())
    parameters = profile["synapscale"]["outputs"]["spark"]["server_side_parameters"]
    environment = {**os.environ, **dbt_env(warehouse_dir)}

    def env_var(name: str, default: str | None = None) -> str:
        value = environment.get(name, default)
        if value is None:
            raise KeyError(f"profiles.yml needs the environment variable {name}")
        return value

    jinja = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return {key: jinja.from_string(str(value)).render(env_var=env_var) for key, value in parameters.items()}


@contextmanager
def spark_session(project_dir: Path, warehouse_dir: Path) -> Iterator[Any]:
    """A SparkSession on the warehouse's metastore and tables (no dbt may run on it meanwhile: Derby is one JVM)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("synapscale-read-back").enableHiveSupport()
    for key, value in spark_settings(project_dir, warehouse_dir).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    try:
        yield session
    finally:
        session.stop()


def built_tables(manifest_path: Path) -> list[tuple[str, str, list[str]]]:
    """(schema, table, partition columns) of every model materialised as a table (table, incremental) and every
    seed dbt built."""
    manifest = json.loads(manifest_path.read_text())
    tables = []
    for node in manifest["nodes"].values():
        config = node.get("config", {})
        if node["resource_type"] == "seed" or (
            node["resource_type"] == "model" and config.get("materialized") in ("table", "incremental")
        ):
            partition_by = config.get("partition_by") or []
            partitions = [partition_by] if isinstance(partition_by, str) else list(partition_by)
            tables.append((node["schema"], node.get("alias") or node["name"], partitions))
    return sorted(tables)


def table_files(warehouse_dir: Path, schema: str, table: str) -> list[Path]:
    """The data files of a managed Spark table (not `_SUCCESS`, `.crc` or a failed job's `_temporary`)."""
    folder = spark_dir(warehouse_dir) / "tables" / f"{schema}.db" / table
    return sorted(
        path
        for path in folder.rglob("*.parquet")
        if not any(part.startswith(("_", ".")) for part in path.relative_to(folder).parts)
    )


def read_back(
    project_dir: Path,
    warehouse_dir: Path,
    manifest_path: Path,
    *,
    progress: Progress = print,
    only: set[str] | None = None,
) -> Path:
    """Copy every table dbt built on Spark (or the `only` names) into `<spark>/serve.duckdb`, same schemas and
    names. DuckDB reads the tables' Parquet files (Spark writes UTC-adjusted micros, so timestamps stay instants;
    day-slice partitions come back as DATE columns, last as on Spark); a table without files (a partitioned
    table with no rows) is read through a SparkSession, for its schema. Written beside the file and renamed: a
    reader sees the previous copy or the new one."""
    began = time.monotonic()
    target = serve_file(warehouse_dir)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.unlink(missing_ok=True)
    tables = [entry for entry in built_tables(manifest_path) if only is None or entry[1] in only]
    through_spark = []
    with duckdb.connect(str(temporary)) as con:
        con.execute("set TimeZone = 'UTC'")
        for schema, table, partitions in tables:
            con.execute(f"create schema if not exists {schema}")
            files = table_files(warehouse_dir, schema, table)
            if not files:
                through_spark.append((schema, table))
                continue
            listed = ", ".join(f"'{path}'" for path in files)
            con.execute(
                f'create table {schema}."{table}" as select * from read_parquet([{listed}], '
                f"hive_partitioning = {str(bool(partitions)).lower()})"
            )
        if through_spark:
            with spark_session(project_dir, warehouse_dir) as session:
                for schema, table in through_spark:
                    con.register("spark_table", session.table(f"{schema}.{table}").toArrow())
                    con.execute(f'create table {schema}."{table}" as select * from spark_table')
                    con.unregister("spark_table")
        con.execute("checkpoint")
    os.replace(temporary, target)
    progress(
        f"  {len(tables)} Spark tables → {target} ({len(through_spark)} empty ones through Spark; "
        f"{time.monotonic() - began:.1f}s)"
    )
    return target
