"""A full disk and an unwritable warehouse fail the run with a clear message and leave the last good serve file
in place (byte for byte, and still a reconciling publication).

The full disk is real where the tests may mount: the warehouse lives on a small tmpfs and the run, stopped at
a checkpoint, fills it. Elsewhere (not root) the run sets RLIMIT_FSIZE at that checkpoint instead (SIGXFSZ
ignored, so writes fail with EFBIG as a full disk fails them with ENOSPC). The unwritable warehouse: its files
are chmod-ed read-only; as root (CI), whom chmod does not stop, the run is started without the capabilities
that bypass file modes (setpriv), so the same test holds for root and for a normal user.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.conftest import Warehouse
from tests.faults.harness import check_serve, start_run
from tests.support.paths import PROJECT_DIR
from tests.support.warehouse import query


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def can_mount_tmpfs(probe: Path) -> bool:
    probe.mkdir(exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True)
    if mounted.returncode != 0:
        return False
    subprocess.run(["umount", str(probe)], check=True)
    return True


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A 96 MB tmpfs, or None where mounting is not allowed."""
    disk = tmp_path / "disk"
    if not can_mount_tmpfs(tmp_path / "probe"):
        yield None
        return
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def run_to_failure(wh: Warehouse, tmp_path: Path, stop_at: str, action: str, name: str) -> tuple[int, str]:
    """A run that does `action` at checkpoint `stop_at` and goes on; returns (exit code, its output)."""
    log = tmp_path / f"{name}.log"
    process = start_run(wh.landing, wh.warehouse, stop_at, tmp_path / f"{name}.reached", log, action=action)
    returncode = process.wait(timeout=600)
    return returncode, log.read_text()


def test_full_disk_fails_the_run_clearly_and_keeps_the_serve_file(
    warehouse: Warehouse, small_disk: Path | None, tmp_path: Path
) -> None:
    wh = warehouse
    if small_disk is not None:
        moved = small_disk / "warehouse"
        shutil.copytree(wh.warehouse, moved)
        wh = Warehouse(wh.landing, moved, wh.base_version, wh.base_rows)
    before = digest(wh.serve_db)
    size = wh.build_db.stat().st_size

    def fill(name: str, room: int) -> str:
        """Fill the disk leaving `room` bytes (tmpfs), or limit file sizes to `room` bytes."""
        return f"fill:{wh.warehouse / name}:{room}" if small_disk else f"fsize:{room}"

    # Just before the publish, the disk fills up to 2 MB, less than the copy needs; a run starts while it
    # is still full; the disk fills completely after the lock is taken (the run's history write hits it).
    cases = [
        ("freshness_checked", fill("filler-1", min(2 << 20, size // 2)), "publish", "failed"),
        ("before_run", fill("filler-2", 0 if small_disk else 1), "start", None),
        ("locked", fill("filler-3", 0 if small_disk else 1), "ingest", "running"),
    ]
    for stop_at, action, failing_step, recorded in cases:
        if failing_step == "ingest":
            for filler in wh.warehouse.glob("filler-*"):
                filler.unlink()
        started = query(wh.build_db, "select count(*) from ops.run_history")[0][0]
        code, output = run_to_failure(wh, tmp_path, stop_at, action, failing_step)
        assert code == 1, output[-3000:]
        assert f"synapscale: {failing_step} failed" in output, output[-3000:]
        assert "is full (or a file-size limit was hit): free space there" in output, output[-3000:]
        assert digest(wh.serve_db) == before
        assert check_serve(wh.serve_db) == (wh.base_version, wh.base_rows)
        assert not list(wh.warehouse.glob(".serve.duckdb.*.tmp"))
        rows = query(wh.build_db, "select status, failing_step from ops.run_history order by started_at")
        if recorded is None:  # no room even for its history row: it said so, and did nothing
            assert len(rows) == started
        elif recorded == "failed":  # the failed copy was removed, which made room to record the failure
            assert rows[-1] == ("failed", failing_step)
        else:  # no room to record the failure either: it said so; the next run closes the row as abandoned
            assert rows[-1] == ("running", None) and "warning: cannot write run history" in output


# As root, chmod does not stop a process that has CAP_DAC_OVERRIDE: the run is started without it (and the
# other capabilities that bypass file permissions), so root meets file modes as any user does.
WITHOUT_OVERRIDES = ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def read_only(paths: list[Path]) -> None:
    for path in paths:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


@pytest.mark.parametrize("what", ["warehouse folder", "build file"])
def test_unwritable_warehouse_fails_the_run_clearly_and_keeps_the_serve_file(warehouse: Warehouse, what: str) -> None:
    wh_dir = warehouse.warehouse
    before = digest(warehouse.serve_db)
    if what == "warehouse folder":  # deployed as the wrong user: nothing in it may be written
        read_only([wh_dir, *wh_dir.rglob("*")])
    else:  # the folder and the lock are fine, the build file is not
        read_only([warehouse.build_db])
    prefix = WITHOUT_OVERRIDES if os.geteuid() == 0 else []
    try:
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "synapscale", "run", "--landing", str(warehouse.landing),
             "--warehouse", str(wh_dir)],
            cwd=PROJECT_DIR,
            env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
            capture_output=True,
            text=True,
            timeout=300,
        )  # fmt: skip
    finally:
        writable(wh_dir)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr
    message = result.stderr.strip().splitlines()[-1]
    step = "lock" if what == "warehouse folder" else "start"
    assert message.startswith(f"synapscale: {step} failed"), result.stderr
    assert "writable by" in message and f"uid {os.getuid()}" in message, message
    assert digest(warehouse.serve_db) == before
    assert check_serve(warehouse.serve_db) == (warehouse.base_version, warehouse.base_rows)
