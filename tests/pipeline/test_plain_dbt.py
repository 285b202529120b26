"""Plain dbt for development: `dbt build` from the project folder (profiles.yml found in the working
directory, the build file at warehouse/build.duckdb) works on what `synapscale ingest` landed, and
`synapscale publish` publishes that result, but only a clean, full build of the data as it is now."""

from __future__ import annotations

import os
import subprocess
from decimal import Decimal
from pathlib import Path

from synapscale.pipeline.dbt import dbt_executable
from tests.support.cli import synapscale
from tests.support.paths import FIXTURES
from tests.support.warehouse import copy_project, query

LATE = (
    '{"event_id": "evt-late", "occurred_at": "2025-01-20T10:00:00Z", "workspace_id": "ws-acme", '
    '"user_id": "usr-ana", "provider": "openai", "model": "gpt-4o-mini", "input_tokens": 100000, '
    '"output_tokens": 10000}\n'
)


def plain_dbt(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """dbt as a developer types it in the project folder: no --profiles-dir, no --project-dir, no env var, and a
    HOME without ~/.dbt (so the profiles.yml used is the one in the working directory)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNAPSCALE_")}
    home = project / "home"
    home.mkdir(exist_ok=True)
    env.update(HOME=str(home), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    return subprocess.run([dbt_executable(), *args], cwd=project, env=env, capture_output=True, text=True, timeout=900)


def publish(project: Path) -> subprocess.CompletedProcess[str]:
    return synapscale(
        "publish", "--warehouse", str(project / "warehouse"), env={"SYNAPSCALE_PROJECT_DIR": str(project)}
    )


def refused(project: Path, because: str) -> None:
    result = publish(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("synapscale: publish failed: ") and because in result.stderr, result.stderr


def test_plain_dbt_build_then_synapscale_publish(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    warehouse = project / "warehouse"
    landed = synapscale("ingest", str(FIXTURES / "landing"), "--warehouse", str(warehouse))
    assert landed.returncode == 0, landed.stderr
    refused(project, "no dbt run_results.json")

    built = plain_dbt(project, "build")
    assert built.returncode == 0, built.stdout[-3000:]
    assert (project / "target" / "run_results.json").exists()
    published = publish(project)
    assert published.returncode == 0, published.stderr
    serve = warehouse / "serve.duckdb"
    assert query(serve, "select count(*) from core.usage_logs") == [(7,)]
    history = "select command, status, failing_step, published_version, tests_failed from ops.run_history"
    assert query(serve, f"{history} order by started_at") == [
        ("publish", "failed", "publish", None, None),  # the refusal above, recorded
        ("publish", "published", None, 1, 0),
    ]

    (tmp_path / "late.jsonl").write_text(LATE)
    assert synapscale("ingest", str(tmp_path / "late.jsonl"), "--warehouse", str(warehouse)).returncode == 0
    refused(project, "1 landing file(s) were ingested after that build started; run `dbt build`")
    assert plain_dbt(project, "run", "--select", "usage_logs").returncode == 0
    refused(project, "was `dbt run`, not a build")
    assert plain_dbt(project, "build", "--select", "stg_raw__usage_events").returncode == 0
    refused(project, "built only part of the project (stg_raw__usage_events)")

    assert query(serve, "select count(*) from core.usage_logs") == [(7,)]  # still the first publication

    # Finance closes January; a plain build reads the closure as data, like the pipeline: the late January call
    # (gpt-4o-mini: 100k x 0.15 + 10k x 0.60 per 1M = 0.021) is an adjustment billed in February, and January's
    # invoice keeps its published total.
    january = "select total_usd from marts.invoices where workspace_id = 'ws-acme' and billing_period = '2025-01-01'"
    january_before = query(serve, january)
    closed = synapscale("billing", "close", "2025-01", "--warehouse", str(warehouse))
    assert closed.returncode == 0, closed.stderr
    assert plain_dbt(project, "build").returncode == 0
    build_db = warehouse / "build.duckdb"
    assert query(
        build_db,
        "select event_type, billing_period::varchar, amount_usd from core.billing_events where event_id = 'evt-late'",
    ) == [("adjustment", "2025-02-01", Decimal("0.021"))]
    assert query(build_db, january) == january_before
    assert publish(project).returncode == 0
    assert plain_dbt(project, "build", "--vars", "{closed_billing_period: '2024-12-01'}").returncode == 0
    refused(project, "overrode the closed billing period")
