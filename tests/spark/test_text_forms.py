"""The Spark forms of the text macros of alert and recommendation messages (macros/cross_engine.sql) give the
text DuckDB gives, value for value: format_fixed (a DOUBLE with n decimals: Java's format_string rounds the
double's shortest text half up, DuckDB the exact binary value half to even, so 0.15 is '0.2' against '0.1') and
format_usd (money, half to even at cents). The Spark SQL is the one dbt compiles for the spark target; the
expected text is DuckDB's own format(), on the same doubles and decimals."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.support.paths import PROJECT_DIR

# Ties in decimal (0.15, 2.675: their doubles lie below or above the tie), exact binary ties (0.25, 12.5,
# 0.125), negative zero and values that round to it, large and tiny magnitudes.
EDGES = [0.15, 0.25, 2.675, 1.05, 0.35, 2.45, -0.15, 12.5, 13.5, -12.5, 0.5, 1.5, 2.5, 0.125, 0.375, 0.005]
EDGES += [0.015, 0.045, 99.95, 1e-20, -1e-20, 0.0, -0.0, -0.01, 1e15 + 0.5, 4503599627370495.5, -0.05, 7.0]
MONEY = ["0.125", "2.675", "0.005", "-0.005", "1234567.015", "-1234.565", "0", "0.000000000000000001"]


def _doubles() -> list[float]:
    rng = random.Random(14)
    values = list(EDGES)
    values += [round(rng.uniform(-200, 200), rng.randint(0, 4)) for _ in range(2_000)]
    values += [rng.random() * 10 ** rng.randint(-12, 14) for _ in range(1_000)]
    values += [k / 8 for k in range(-80, 80)] + [k / 200 for k in range(-400, 400)]
    return values


def _compiled(tmp_path: Path, sql: str) -> str:
    command = [
        str(Path(sys.executable).with_name("dbt")), "compile", "--target", "spark", "--inline", sql, "--quiet",
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
    ]  # fmt: skip
    env = {
        **os.environ,
        "SYNAPSCALE_SPARK_WAREHOUSE": str(tmp_path / "spark"),
        "SYNAPSCALE_BUILD_DB": str(tmp_path / "unused.duckdb"),
    }
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout.strip()


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.decimalOperations.allowPrecisionLoss", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_format_fixed_and_format_usd_on_spark_give_duckdbs_text(spark, tmp_path: Path) -> None:
    select = _compiled(
        tmp_path,
        "select i, {{ format_fixed('v', 0) }} as f0, {{ format_fixed('v', 1) }} as f1, "
        "{{ format_fixed('v', 2) }} as f2, {{ format_usd('m') }} as usd from values_table",
    )
    doubles = _doubles()
    rows = [(i, v, MONEY[i] if i < len(MONEY) else "1") for i, v in enumerate(doubles)]
    with duckdb.connect() as con:
        con.execute("create table t (i integer, v double, m decimal(38, 18))")
        con.executemany("insert into t values (?, ?, ?::decimal(38, 18))", [list(row) for row in rows])
        expected = con.execute(
            "select i, format('{:.0f}', v), format('{:.1f}', v), format('{:.2f}', v), "
            "case when m < 0 then '-' else '' end || '$' || format('{:,.2f}', abs(round_even(m, 2))) from t order by i"
        ).fetchall()
    frame = spark.createDataFrame(rows, "i int, v double, m string")
    frame.selectExpr("i", "v", "cast(m as decimal(38, 18)) as m").createOrReplaceTempView("values_table")
    got = spark.sql(select + " order by i").collect()
    pairs = zip(expected, [tuple(row) for row in got], strict=True)
    different = [(doubles[want[0]], want[1:], row[1:]) for want, row in pairs if want != row]
    assert len(got) == len(doubles) > 3_000
    assert not different, different[:10]
