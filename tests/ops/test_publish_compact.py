"""Publish writes a compacted copy of a build file that holds much free space, with the same content."""

from __future__ import annotations

from pathlib import Path

import duckdb

from synapscale.pipeline.publish import publish


def _content(db: Path) -> list[object]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [
            con.execute("select count(*), sum(x), max(label) from core.usage_logs").fetchall(),
            con.execute("select * from marts.small_view order by 1").fetchall(),
            con.execute("select comment from duckdb_tables() where table_name = 'usage_logs'").fetchall(),
        ]


def test_a_bloated_build_file_is_published_compacted(tmp_path: Path) -> None:
    build, serve = tmp_path / "build.duckdb", tmp_path / "serve.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema core; create schema marts")
        for round_ in range(4):  # a table rebuilt on every run: the old versions' blocks become free space
            con.execute(
                f"create or replace table core.usage_logs as select range as x, 'row ' || (range + {round_}) "
                "as label from range(600000)"
            )
            con.execute("checkpoint")
        con.execute("comment on table core.usage_logs is 'calls'")
        con.execute("create view marts.small_view as select x % 3 as k, count(*) as n from core.usage_logs group by 1")
    messages: list[str] = []

    publish(build, serve, progress=messages.append)

    assert any("compacted copy" in m for m in messages), messages
    assert serve.stat().st_size < 0.6 * build.stat().st_size
    assert _content(serve) == _content(build)
    assert _content(serve)[1] == [(0, 200000), (1, 200000), (2, 200000)]


def test_a_tight_build_file_is_copied_as_it_is(tmp_path: Path) -> None:
    build, serve = tmp_path / "build.duckdb", tmp_path / "serve.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema core; create table core.usage_logs as select range as x from range(1000)")
    messages: list[str] = []
    publish(build, serve, progress=messages.append)
    assert not any("compacted" in m for m in messages)
    with duckdb.connect(str(serve), read_only=True) as con:
        assert con.execute("select sum(x) from core.usage_logs").fetchall() == [(499500,)]
