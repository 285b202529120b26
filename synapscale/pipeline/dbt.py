"""The one dbt command line: the pipeline and the tests run dbt through `dbt_invocation`, as a subprocess
(so its lock on the build file ends with it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

from synapscale.errors import StepFailed, UserError
from synapscale.settings import Settings

Progress = Callable[[str], None]


def dbt_executable() -> str:
    """The dbt of this virtual environment."""
    candidate = Path(sys.executable).with_name("dbt")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if found is None:
        raise UserError("dbt is not installed in this environment; run `make install` (pip install -e .)")
    return found


def dbt_invocation(
    project_dir: Path,
    build_db: Path,
    work_dir: Path,
    args: Sequence[str],
    vars_: Mapping[str, object] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one dbt run against `build_db`, with target and logs under
    `work_dir` (so concurrent runs on other build files never share dbt's state)."""
    command = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
        # A stale partial-parse cache after models are renamed fails the build; a full parse costs ~2 s.
        "--no-partial-parse",
        "--no-use-colors",
    ]
    if vars_:
        command += ["--vars", json.dumps(dict(vars_))]
    env = {**os.environ, "SYNAPSCALE_BUILD_DB": str(build_db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return command, env


def dbt_vars(closed: date | None) -> dict[str, object]:
    """The vars every pipeline dbt run gets (the closed billing period comes from the build database)."""
    return {"closed_billing_period": closed.isoformat()} if closed else {}


def run_dbt(
    settings: Settings,
    args: Sequence[str],
    *,
    vars_: dict[str, object] | None = None,
    progress: Progress = print,
) -> None:
    """Run one dbt command against the build database, streaming its log lines; raise StepFailed on failure."""
    work_dir = settings.dbt_work_dir
    command, env = dbt_invocation(settings.project_dir, settings.build_db, work_dir, args, vars_)
    with subprocess.Popen(
        command,
        cwd=settings.project_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            progress(f"  dbt | {line.rstrip()}")
        returncode = process.wait()
    if returncode != 0:
        failing = failing_nodes(work_dir / "target" / "run_results.json")
        names = ", ".join(failing[:5]) + (f" (+{len(failing) - 5} more)" if len(failing) > 5 else "")
        raise StepFailed(
            f"dbt {args[0]}",
            f"exit code {returncode}"
            + (f"; failing: {names}" if failing else "")
            + f"; full log in {work_dir / 'logs' / 'dbt.log'}. "
            "Nothing was published; the previous serve file is unchanged",
        )


def failing_nodes(run_results: Path) -> list[str]:
    """Names of the nodes that errored or failed in the last dbt invocation, from run_results.json."""
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []
    return [r["unique_id"] for r in results if r.get("status") in ("error", "fail", "runtime error")]
