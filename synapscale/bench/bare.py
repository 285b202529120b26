"""The bare lower bound: bare.sql rendered for the landed files and run in a child process (so its memory is its
own), then its daily spend compared with the pipeline's published calls.

    python -m synapscale.bench.bare SCRIPT DB [--check SERVE_DB]

prints one JSON object: the script's seconds (connect, every statement, checkpoint and close) and, with --check,
how many (day, workspace, model) rows of calls and spend differ between the script and `core.usage_logs`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from string import Template

import duckdb

from ingest.contract import USAGE
from synapscale.prices.model_names import patterns
from synapscale.settings import PROJECT_DIR

TEMPLATE = Path(__file__).with_name("bare.sql")

CHECK_SQL = """
with pipeline as (
    select usage_date, workspace_id, model, count(*) as calls, coalesce(sum(cost_usd), 0)::decimal(38, 18) as cost_usd
    from serve.core.usage_logs group by all
),
bare as (select usage_date, workspace_id, model, calls, cost_usd from spend_daily)
select
    (select count(*) from (select * from pipeline except all select * from bare)),
    (select count(*) from (select * from bare except all select * from pipeline)),
    (select count(*) from bare)
"""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _strip_sql(expression: str, rules: tuple[str, ...]) -> str:
    for pattern in rules:
        expression = f"regexp_replace({expression}, {_literal(pattern)}, '')"
    return expression


def render(usage_files: list[Path], file_format: str, project_dir: Path = PROJECT_DIR) -> str:
    """bare.sql for these landed usage files (all Parquet or all JSONL)."""
    listed = "[" + ", ".join(_literal(str(p.resolve())) for p in usage_files) + "]"
    if file_format == "parquet":
        reader = f"read_parquet({listed}, union_by_name = true)"
    else:
        columns = ", ".join(f"{_literal(name)}: {_literal(sql_type)}" for name, sql_type in USAGE.columns.items())
        reader = f"read_ndjson({listed}, columns = {{{columns}}})"
    prefixes, suffixes = (tuple(p.pattern for p in group) for group in patterns(project_dir))
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        usage_reader=reader,
        seeds_dir=str((project_dir / "seeds").resolve()),
        strip_prefixes=_strip_sql("lower(model_raw)", prefixes),
        strip_suffixes_of_without_prefixes=_strip_sql("forms.without_prefixes", suffixes),
    )


def run(script: Path, db: Path, serve_db: Path | None) -> dict[str, object]:
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute(script.read_text(encoding="utf-8"))
    con.close()
    result: dict[str, object] = {"seconds": time.perf_counter() - started}
    if serve_db is not None:
        with duckdb.connect(str(db), read_only=True) as con:
            con.execute(f"attach {_literal(str(serve_db))} as serve (read_only)")
            only_pipeline, only_bare, rows = con.execute(CHECK_SQL).fetchall()[0]
        result.update(check_rows=rows, only_in_pipeline=only_pipeline, only_in_bare=only_bare)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("script", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("--check", type=Path, default=None, metavar="SERVE_DB")
    args = parser.parse_args()
    print(json.dumps(run(args.script, args.db, args.check)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
