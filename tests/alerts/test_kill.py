"""`kill -9` of a real delivery process at the worst moment, between a sink accepting an alert and its record
in the outbox, then a new delivery (`synapscale alerts send`, as the next run would): the JSONL file holds each
alert once, and the webhook's second post carries the same Idempotency-Key (docs/operations.md#spend-alerts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.alerts.published import Alert, publish_alerts
from tests.faults.harness import kill_hard, wait_until
from tests.support.cli import synapscale
from tests.support.paths import PROJECT_DIR
from tests.support.webhook import Receiver

ALERTS = [
    Alert("ws-alpha", "Alpha Labs", "2025-03", pct, f"2025-03-10T{hour}:00:00Z", spend, "10")
    for pct, hour, spend in ((50, 11, "5.50"), (80, 13, "8.50"), (100, 15, "10.25"))
]
HALF, EIGHTY, FULL = ALERTS

CHILD = """
import os, sys, time
from pathlib import Path
from synapscale import settings
from synapscale.alerts import config
from synapscale.alerts.deliver import deliver_published

warehouse, stop_at, marker = sys.argv[1:4]

def checkpoint(name):
    if name == stop_at:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(600)

deliver_published(settings.from_env(warehouse=warehouse), config.from_env(), checkpoint=checkpoint)
"""


def kill_during_delivery(warehouse: Path, stop_at: str, env: dict[str, str], tmp_path: Path) -> None:
    marker, log = tmp_path / "reached", tmp_path / "child.log"
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(warehouse), stop_at, str(marker)],
        cwd=PROJECT_DIR,
        env={**os.environ, **env},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(marker.exists, process, log, timeout=60)
        kill_hard(process)
    finally:
        if process.poll() is None:
            process.kill()


def deliveries(build_db: Path) -> dict[tuple[str, str], tuple[str, int, str | None]]:
    with duckdb.connect(str(build_db), read_only=True) as con:
        rows = con.execute("select alert_id, sink, status, attempts, last_error from ops.alert_deliveries").fetchall()
    return {(alert_id, sink): (status, attempts, note) for alert_id, sink, status, attempts, note in rows}


def test_killed_after_appending_the_next_delivery_does_not_append_it_again(tmp_path: Path) -> None:
    settings = publish_alerts(tmp_path / "warehouse", ALERTS, "2025-03-10T15:00:00Z")
    file = tmp_path / "alerts.jsonl"
    with Receiver() as receiver:
        env = {"SYNAPSCALE_ALERT_JSONL": str(file), "SYNAPSCALE_ALERT_WEBHOOK_URL": receiver.url}
        kill_during_delivery(settings.warehouse_dir, f"alert_sent:jsonl:{EIGHTY.alert_id}", env, tmp_path)
        assert deliveries(settings.build_db)[(EIGHTY.alert_id, "jsonl")][0] == "sending"  # the record was lost

        result = synapscale("alerts", "send", "--warehouse", str(settings.warehouse_dir), env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        keys = receiver.keys()
    lines = [json.loads(line)["alert_id"] for line in file.read_text().splitlines()]
    assert lines == [HALF.alert_id, EIGHTY.alert_id, FULL.alert_id]
    assert keys == [HALF.alert_id, EIGHTY.alert_id, FULL.alert_id]  # the webhook's turn came after the kill
    found = deliveries(settings.build_db)
    assert found[(EIGHTY.alert_id, "jsonl")] == ("sent", 1, "found in the file, not appended again")
    assert {status for status, _, _ in found.values()} == {"sent"} and len(found) == 6


def test_killed_after_the_webhook_answered_the_next_delivery_posts_again_with_the_same_key(tmp_path: Path) -> None:
    settings = publish_alerts(tmp_path / "warehouse", ALERTS, "2025-03-10T15:00:00Z")
    with Receiver() as receiver:
        env = {"SYNAPSCALE_ALERT_WEBHOOK_URL": receiver.url}
        kill_during_delivery(settings.warehouse_dir, f"alert_sent:webhook:{EIGHTY.alert_id}", env, tmp_path)
        result = synapscale("alerts", "send", "--warehouse", str(settings.warehouse_dir), env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        keys = receiver.keys()
    # the one alert whose record the kill lost is posted twice, with the same key: a receiver that
    # de-duplicates on Idempotency-Key counts each alert once
    assert keys == [HALF.alert_id, EIGHTY.alert_id, EIGHTY.alert_id, FULL.alert_id]
    assert len(set(keys)) == 3
    assert deliveries(settings.build_db)[(EIGHTY.alert_id, "webhook")][:2] == ("sent", 2)
