"""The one dbt command line: the pipeline and the tests run dbt through `dbt_invocation`, as a subprocess
(so its lock on the build file ends with it).

The subprocess is tied to its parent: on Linux it asks the kernel for SIGKILL when the parent dies
(prctl PR_SET_PDEATHSIG), so a `kill -9` of `synapscale run` never leaves a dbt holding build.duckdb, which
would make every later run fail to open it.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from synapscale.errors import StepFailed, UserError
from synapscale.pipeline.results import failing_nodes
from synapscale.settings import Settings

Progress = Callable[[str], None]
PR_SET_PDEATHSIG = 1  # linux/prctl.h


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
    *,
    partial_parse: bool = False,
    spark_dir: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one dbt run against `build_db`, with target and logs under
    `work_dir` (so concurrent runs on other build files never share dbt's state).

    partial_parse=True reuses the parse the previous invocation saved in `work_dir` (right after a full
    parse with the same vars it is current and saves the parse).
    spark_dir: build on the spark target, its warehouse there (docs/spark.md); the raw layer is read from it.
    extra_env: more environment variables for dbt (e.g. state.TESTED_THROUGH_ENV)."""
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
        # Off unless the caller knows the saved parse is of this very project (a stale partial-parse cache
        # after models are renamed fails the build); a full parse of this project costs 10-20 s.
        "--partial-parse" if partial_parse else "--no-partial-parse",
        "--no-use-colors",
    ]
    if vars_:
        command += ["--vars", json.dumps(dict(vars_))]
    env = {
        **os.environ,
        **(extra_env or {}),
        "SYNAPSCALE_BUILD_DB": str(build_db),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    if spark_dir is not None:
        command += ["--target", "spark"]
        env["SYNAPSCALE_SPARK_WAREHOUSE"] = str(spark_dir)
    return command, env


def die_with_parent(parent_pid: int) -> Callable[[], None] | None:
    """A preexec_fn that makes the child get SIGKILL when its parent dies (Linux); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None

    def preexec() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def call_dbt(
    settings: Settings,
    args: Sequence[str],
    *,
    vars_: dict[str, object] | None = None,
    progress: Progress = print,
    partial_parse: bool = False,
    on_start: Callable[[int], None] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> int:
    """Run one dbt command against the build database, streaming its log lines; returns dbt's exit code.
    `on_start` gets the dbt process id once it runs."""
    command, env = dbt_invocation(
        settings.project_dir,
        settings.build_db,
        settings.dbt_work_dir,
        args,
        vars_,
        partial_parse=partial_parse,
        spark_dir=settings.spark_dir if settings.engine == "spark" else None,
        extra_env=extra_env,
    )
    with subprocess.Popen(
        command,
        cwd=settings.project_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        preexec_fn=die_with_parent(os.getpid()),  # noqa: PLW1509 (only prctl and getppid: fork-safe)
    ) as process:
        try:
            if on_start is not None:
                on_start(process.pid)
            assert process.stdout is not None
            for line in process.stdout:
                progress(f"  dbt | {line.rstrip()}")
            return process.wait()
        except BaseException:
            process.kill()  # interrupted: dbt must not go on writing the build file without us
            process.wait()
            raise


def run_dbt(
    settings: Settings,
    args: Sequence[str],
    *,
    vars_: dict[str, object] | None = None,
    progress: Progress = print,
    partial_parse: bool = False,
    on_start: Callable[[int], None] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> None:
    """Run a dbt command that must succeed (`dbt build`); raise StepFailed naming the failing nodes."""
    returncode = call_dbt(
        settings,
        args,
        vars_=vars_,
        progress=progress,
        partial_parse=partial_parse,
        on_start=on_start,
        extra_env=extra_env,
    )
    if returncode != 0:
        work_dir = settings.dbt_work_dir
        failing = failing_nodes(work_dir / "target" / "run_results.json")
        names = ", ".join(failing[:5]) + (f" (+{len(failing) - 5} more)" if len(failing) > 5 else "")
        raise StepFailed(
            f"dbt {args[0]}",
            f"exit code {returncode}"
            + (f"; failing: {names}" if failing else "")
            + f"; full log in {work_dir / 'logs' / 'dbt.log'}. "
            "Nothing was published; the previous serve file is unchanged",
        )
