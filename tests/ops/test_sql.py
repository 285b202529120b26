"""`synapscale sql` on a small serve file made here (no dbt): -c prints results and exits non-zero on a SQL
error; the REPL runs multi-line statements, survives errors, never writes, and each input sees the file
published at that moment."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

from tests.support.cli import synapscale
from tests.support.paths import PROJECT_DIR

ROWS = [("e1", "ws-a", Decimal("0.435")), ("e2", "ws-a", Decimal("1.75")), ("e3", "ws-b", None)]


def publish_by_hand(serve: Path, version: int) -> None:
    """A serve file as publish leaves one (built aside, renamed into place), with `version` rows of ROWS."""
    aside = serve.with_name(f".{serve.name}.aside")
    aside.unlink(missing_ok=True)
    with duckdb.connect(str(aside)) as con:
        con.execute("create schema core; create schema meta")
        con.execute("create table core.usage_logs (event_id varchar, workspace_id varchar, cost_usd decimal(38,18))")
        con.executemany("insert into core.usage_logs values (?, ?, ?)", ROWS[:version])
        con.execute("create table meta.publication as select ? as published_version", [version])
    os.replace(aside, serve)


def sql(warehouse: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "synapscale", "sql", "--warehouse", str(warehouse), *args],
        cwd=PROJECT_DIR,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_one_shot_prints_the_result_exactly(tmp_path: Path) -> None:
    publish_by_hand(tmp_path / "serve.duckdb", 3)
    result = sql(tmp_path, "--csv", "-c", "select event_id, cost_usd from core.usage_logs order by event_id")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["event_id"], Decimal(r["cost_usd"]) if r["cost_usd"] else None) for r in rows] == [
        (event_id, cost) for event_id, _, cost in ROWS
    ]
    table = sql(tmp_path, "-c", "select count(*) as calls from core.usage_logs")
    assert table.returncode == 0 and "│ calls │" in table.stdout and "│     3 │" in table.stdout


def test_one_shot_errors_exit_1_and_nothing_can_be_written(tmp_path: Path) -> None:
    publish_by_hand(tmp_path / "serve.duckdb", 3)
    wrong = sql(tmp_path, "-c", "select no_such_column from core.usage_logs")
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert wrong.stderr.startswith("Error: ") and "no_such_column" in wrong.stderr
    write = sql(tmp_path, "-c", "delete from core.usage_logs")
    assert write.returncode == 1 and "read-only" in write.stderr
    assert sql(tmp_path, "--csv", "-c", "select count(*) as n from core.usage_logs").stdout.split() == ["n", "3"]


def test_no_published_file_says_what_to_run(tmp_path: Path) -> None:
    for args in (("-c", "select 1"), ("--python",)):
        result = sql(tmp_path / "nothing", *args, stdin="")
        assert result.returncode == 1
        assert "no published warehouse" in result.stderr and "synapscale run" in result.stderr


def test_repl_runs_multiline_statements_and_survives_errors(tmp_path: Path) -> None:
    publish_by_hand(tmp_path / "serve.duckdb", 3)
    script = (
        "select workspace_id,\n       count(*) as calls\nfrom core.usage_logs\ngroup by 1 order by 1;\n"
        "select oops from nowhere;\n"
        ".tables\n"
        "select 'still here' as answer;\n"
    )
    result = sql(tmp_path, "--python", "--csv", stdin=script)
    assert result.returncode == 1  # a script (not a terminal) with a failed statement
    assert result.stdout.split() == ["workspace_id,calls", "ws-a,2", "ws-b,1", "schema,name", "core,usage_logs",
                                     "meta,publication", "answer", "still", "here"]  # fmt: skip
    assert result.stderr.startswith("Error: Catalog Error") and "nowhere" in result.stderr


def test_each_repl_input_sees_the_latest_publication(tmp_path: Path) -> None:
    serve = tmp_path / "serve.duckdb"
    publish_by_hand(serve, 1)
    process = subprocess.Popen(
        [sys.executable, "-m", "synapscale", "sql", "--python", "--csv", "--warehouse", str(tmp_path)],
        cwd=PROJECT_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert process.stdin is not None and process.stdout is not None
    query = "select published_version, (select count(*) from core.usage_logs) as calls from meta.publication;\n"
    process.stdin.write(query)
    process.stdin.flush()
    assert [process.stdout.readline().strip() for _ in range(2)] == ["published_version,calls", "1,1"]
    publish_by_hand(serve, 2)  # a run publishes while the session is open
    process.stdin.write(query)
    process.stdin.flush()
    assert [process.stdout.readline().strip() for _ in range(2)] == ["published_version,calls", "2,2"]
    process.stdin.close()
    assert process.wait(timeout=30) == 0, process.stderr.read() if process.stderr else ""


def test_the_duckdb_shell_is_given_the_serve_file_read_only(tmp_path: Path) -> None:
    from synapscale.ops.sql import duckdb_shell_command

    fake_path = tmp_path / "bin"
    fake_path.mkdir()
    shell = fake_path / "duckdb"
    shell.write_text('#!/bin/sh\necho "$@"\n')
    shell.chmod(0o755)
    publish_by_hand(tmp_path / "serve.duckdb", 1)
    env = {"PATH": f"{fake_path}:{os.environ['PATH']}"}
    result = synapscale("sql", "--warehouse", str(tmp_path), env=env)
    assert result.returncode == 0 and result.stdout.strip() == f"-readonly {tmp_path / 'serve.duckdb'}"
    assert duckdb_shell_command(tmp_path / "serve.duckdb") is None or shell.exists()
