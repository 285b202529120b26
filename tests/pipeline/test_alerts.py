"""Spend alerts through the real `synapscale run`: a workspace whose $10.00 snapshot budget is crossed at 50, 80
and 100 % in March and at 50 % in April, delivered to a JSONL file and to a real HTTP server on 127.0.0.1 that
fails its first request. The run that meets the failing webhook still publishes and exits 0; the next run
retries; a run killed with -9 between appending an alert and recording it is followed by a run that does not
append it again; in the end each alert is in the file once and accepted by the webhook once.

The alerts' sentences and ids are written out here from the landing rows (costs are the provider's own
figures, so no pricing is involved): month-to-date 3.00 → 5.50 (11:00, 50 %) → 8.50 (13:00, 80 %) →
10.25 (15:00, 100 %) on 2025-03-10; 6.00 on 2025-04-30 20:00 (50 %; with 3 hours left the month-end forecast,
6.00 + 6.00 × 3 / 168, stays under the budget, so no forecast overrun).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.faults.harness import kill_run_at
from tests.support.cli import synapscale
from tests.support.paths import PROJECT_DIR
from tests.support.warehouse import query
from tests.support.webhook import Receiver

WORKSPACE = {"workspace_id": "ws-alpha", "name": "Alpha Labs", "plan": "team", "monthly_budget_usd": 10,
             "timezone": "UTC", "created_at": "2025-01-01T00:00:00Z"}  # fmt: skip
MARCH = [("2025-03-10T10:15:00Z", "3.00"), ("2025-03-10T11:40:00Z", "2.50"), ("2025-03-10T13:05:00Z", "3.00"),
         ("2025-03-10T15:30:00Z", "1.75")]  # fmt: skip
APRIL = [("2025-04-30T20:10:00Z", "6.00")]


def alert_id(month: str, pct: int) -> str:
    return hashlib.md5(f"ws-alpha|{month}-01|budget_threshold|{pct}".encode()).hexdigest()  # noqa: S324


def sentence(pct: int, month: str, spent: str, hour: str) -> str:
    return (
        f"Alpha Labs (ws-alpha) reached {pct}% of its $10.00 budget for {month}: ${spent} spent by the end of the "
        f"hour from {hour} UTC."
    )


EXPECTED = {
    alert_id("2025-03", 50): sentence(50, "2025-03", "5.50", "2025-03-10 11:00"),
    alert_id("2025-03", 80): sentence(80, "2025-03", "8.50", "2025-03-10 13:00"),
    alert_id("2025-03", 100): sentence(100, "2025-03", "10.25", "2025-03-10 15:00"),
    alert_id("2025-04", 50): sentence(50, "2025-04", "6.00", "2025-04-30 20:00"),
}
MARCH_IDS, APRIL_ID = list(EXPECTED)[:3], list(EXPECTED)[3]


def write_usage(path: Path, calls: list[tuple[str, str]]) -> None:
    lines = [
        {"event_id": f"{path.stem}-{n}", "occurred_at": at, "workspace_id": "ws-alpha", "user_id": "usr-1",
         "provider": "openai", "model": "gpt-4o-mini", "input_tokens": 1000, "output_tokens": 100,
         "provider_cost_usd": cost}
        for n, (at, cost) in enumerate(calls)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def file_ids(path: Path) -> list[str]:
    return [json.loads(line)["alert_id"] for line in path.read_text().splitlines()]


def test_alerts_are_delivered_once_across_a_failing_webhook_and_a_killed_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing, warehouse, file = tmp_path / "landing", tmp_path / "warehouse", tmp_path / "alerts" / "spend.jsonl"
    landing.mkdir()
    (landing / "workspaces_2025-03.jsonl").write_text(json.dumps(WORKSPACE) + "\n")
    write_usage(landing / "usage_2025-03.jsonl", MARCH)
    args = ("run", "--landing", str(landing), "--warehouse", str(warehouse))
    with Receiver([500]) as receiver:
        env = {"SYNAPSCALE_ALERT_WEBHOOK_URL": receiver.url, "SYNAPSCALE_ALERT_JSONL": str(file)}
        for name, value in env.items():
            monkeypatch.setenv(name, value)  # for the killed run's child process too

        # 1. the webhook answers 500: the run publishes all the same, exit 0; the file has the three alerts
        first = synapscale(*args)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr
        assert "alerts: 3 new, 0 suppressed" in first.stdout and "delivered 3, failed 1, 3 left" in first.stdout
        assert file_ids(file) == MARCH_IDS
        assert [json.loads(line)["message"] for line in file.read_text().splitlines()] == list(EXPECTED.values())[:3]
        (history,) = query(
            warehouse / "build.duckdb",
            "select status, alerts_new, alerts_sent, alerts_failed, alerts_pending, warnings from ops.run_history",
        )
        assert history[:5] == ("published", 3, 3, 1, 3)
        assert "alert delivery failed (retried on the next run): webhook http://127.0.0.1:" in history[5]
        assert "HTTP 500" in history[5]
        status = synapscale("status", "--warehouse", str(warehouse))
        assert "3 spend alert(s) not delivered yet (webhook: 3 failed, last error: " in status.stdout

        # 2. April lands; the run is killed -9 right after appending April's alert, before recording it
        write_usage(landing / "usage_2025-04.jsonl", APRIL)
        kill_run_at(landing, warehouse, f"alert_sent:jsonl:{APRIL_ID}", tmp_path)
        assert file_ids(file) == [*MARCH_IDS, APRIL_ID]
        assert receiver.keys() == [MARCH_IDS[0]]  # the killed run never reached the webhook

        # 3. the next run: April is found in the file (not appended again), the webhook gets all four
        third = synapscale(*args)
        assert third.returncode == 0, third.stdout[-3000:] + third.stderr
        accepted = [request.headers["idempotency-key"] for request in receiver.accepted()]
        bodies = {r.headers["idempotency-key"]: r.body["text"] for r in receiver.accepted()}
    assert file_ids(file) == [*MARCH_IDS, APRIL_ID]
    assert accepted == list(EXPECTED) and bodies == EXPECTED
    assert query(warehouse / "build.duckdb", "select alert_id, status from ops.alert_outbox order by occurred_at") == [
        (key, "sent") for key in EXPECTED
    ]
    assert query(warehouse / "serve.duckdb", "select count(*) from marts.alert_events") == [(4,)]
    listed = synapscale("alerts", "list", "--warehouse", str(warehouse))
    assert listed.stdout.count("jsonl:sent(1) webhook:sent(") == 4, listed.stdout


def test_a_run_stopped_while_the_webhook_hangs_keeps_its_publication_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM (systemctl stop, a time limit) during alert delivery ends the delivery, not the publication."""
    landing, warehouse, file = tmp_path / "landing", tmp_path / "warehouse", tmp_path / "spend.jsonl"
    landing.mkdir()
    (landing / "workspaces_2025-03.jsonl").write_text(json.dumps(WORKSPACE) + "\n")
    write_usage(landing / "usage_2025-03.jsonl", MARCH[:2])  # the 50 % crossing only
    with Receiver(["hang"], hang_seconds=60) as receiver:
        env = {"SYNAPSCALE_ALERT_WEBHOOK_URL": receiver.url, "SYNAPSCALE_ALERT_JSONL": str(file),
               "SYNAPSCALE_ALERT_TIMEOUT_SECONDS": "50"}  # fmt: skip
        log = tmp_path / "run.log"  # a file, not a pipe: dbt's log would fill a pipe nobody reads yet
        run = subprocess.Popen(
            [sys.executable, "-m", "synapscale", "run", "--landing", str(landing), "--warehouse", str(warehouse)],
            cwd=PROJECT_DIR, env={**os.environ, **env}, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 600
            while not receiver.requests and run.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            assert receiver.requests, "the run never reached the webhook"
            run.send_signal(signal.SIGTERM)
            run.wait(timeout=60)
        finally:
            if run.poll() is None:
                run.kill()
        out = log.read_text()
        assert run.returncode == 0, out[-3000:]
        assert "warning: alert delivery failed: interrupted; what was not delivered goes on the next run" in out
        assert file_ids(file) == [MARCH_IDS[0]]
        assert query(warehouse / "build.duckdb", "select status, published_version from ops.run_history") == [
            ("published", 1)
        ]
        assert query(warehouse / "serve.duckdb", "select count(*) from marts.alert_events") == [(1,)]
        # the next delivery posts it again, same key; the file is not appended twice
        again = synapscale("alerts", "send", "--warehouse", str(warehouse), env=env)
        assert again.returncode == 0, again.stdout + again.stderr
        assert receiver.keys() == [MARCH_IDS[0], MARCH_IDS[0]]
    assert file_ids(file) == [MARCH_IDS[0]]
