"""The build's DuckDB session gets the profile's settings: UTC days, and a memory limit past which it spills
(5 GB unless SYNAPSCALE_DBT_MEMORY_LIMIT says otherwise; docs/benchmarks.md#memory)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from synapscale.pipeline.dbt import dbt_invocation
from tests.support.paths import PROJECT_DIR


def _session(work_dir: Path, memory_limit: str | None) -> dict[str, str]:
    inline = "select current_setting('memory_limit') as memory_limit, current_setting('TimeZone') as zone"
    args = ["show", "--inline", inline, "--output", "json", "--quiet"]
    command, env = dbt_invocation(PROJECT_DIR, work_dir / "build.duckdb", work_dir, args)
    env.pop("SYNAPSCALE_DBT_MEMORY_LIMIT", None)
    if memory_limit is not None:
        env["SYNAPSCALE_DBT_MEMORY_LIMIT"] = memory_limit
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=PROJECT_DIR, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(result.stdout[result.stdout.index("{") :])["show"][0]


def test_the_build_session_is_utc_with_a_memory_limit(tmp_path: Path) -> None:
    # 5 GB = 5e9 bytes = 4.66 GiB, which DuckDB shows as 4.6 GiB (without the setting: 80 % of the RAM)
    assert _session(tmp_path / "default", None) == {"memory_limit": "4.6 GiB", "zone": "UTC"}
    assert _session(tmp_path / "set", "1GB")["memory_limit"] == "953.6 MiB"  # 1e9 bytes
