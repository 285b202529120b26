"""`synapscale alerts list|send|test` and the alert lines of `synapscale status`, as an operator runs them
(real subprocesses, a real HTTP server on 127.0.0.1, a real JSONL file)."""

from __future__ import annotations

import json
from pathlib import Path

from synapscale.alerts.config import AlertConfig
from synapscale.alerts.deliver import deliver_published
from tests.alerts.published import Alert, publish_alerts
from tests.support.cli import synapscale
from tests.support.webhook import Receiver, closed_port_url

HALF = Alert("ws-alpha", "Alpha Labs", "2025-03", 50, "2025-03-10T11:00:00Z", "5.50", "10")
OTHER = Alert("ws-beta", None, "2025-03", 100, "2025-03-10T12:00:00Z", "40.00", "40")
OLD = Alert("ws-beta", None, "2025-01", 100, "2025-01-20T09:00:00Z", "40.00", "40")


def test_alerts_test_reaches_each_configured_sink_and_says_so(tmp_path: Path) -> None:
    file = tmp_path / "alerts.jsonl"
    with Receiver() as receiver:
        env = {"SYNAPSCALE_ALERT_WEBHOOK_URL": receiver.url, "SYNAPSCALE_ALERT_JSONL": str(file)}
        result = synapscale("alerts", "test", env=env)
        (request,) = receiver.requests
    assert result.returncode == 0, result.stdout + result.stderr
    host, port = receiver.url.split("/")[2].split(":")
    assert result.stdout.splitlines() == [f"jsonl {file}: delivered", f"webhook http://{host}:{port}/...: delivered"]
    (line,) = file.read_text().splitlines()
    assert json.loads(line)["alert_type"] == "test"
    assert request.body["text"].startswith("SynapScale test alert from ")
    assert request.headers["idempotency-key"] == json.loads(line)["alert_id"]


def test_alerts_test_reports_a_sink_that_is_down_and_exits_1(tmp_path: Path) -> None:
    result = synapscale("alerts", "test", env={"SYNAPSCALE_ALERT_WEBHOOK_URL": closed_port_url()})
    assert result.returncode == 1
    assert ": FAILED: cannot connect (" in result.stdout and "Connection refused" in result.stdout
    none = synapscale("alerts", "test", env={"SYNAPSCALE_ALERT_WEBHOOK_URL": "", "SYNAPSCALE_ALERT_JSONL": ""})
    assert none.returncode == 1 and "no sink configured" in none.stdout
    bad = synapscale("alerts", "test", env={"SYNAPSCALE_ALERT_WEBHOOK_URL": "hooks.example.com/x"})
    assert bad.returncode == 2
    assert "SYNAPSCALE_ALERT_WEBHOOK_URL must be an http:// or https:// URL" in bad.stderr


def test_list_send_and_status_show_a_failed_delivery_and_its_retry(tmp_path: Path) -> None:
    settings = publish_alerts(tmp_path / "warehouse", [OLD, HALF, OTHER], "2025-03-10T15:00:00Z")
    warehouse = str(settings.warehouse_dir)
    down = {"SYNAPSCALE_ALERT_WEBHOOK_URL": closed_port_url()}
    deliver_published(settings, AlertConfig(webhook_url=down["SYNAPSCALE_ALERT_WEBHOOK_URL"]), progress=print)

    listed = synapscale("alerts", "list", "--warehouse", warehouse)
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[6]: line for line in listed.stdout.splitlines()[1:]}  # status (the time is 2 words)
    assert sorted(line.split()[6] for line in listed.stdout.splitlines()[1:]) == ["failed", "failed", "suppressed"]
    assert "webhook:failed(1)" in rows["failed"] or "webhook:failed(0)" in rows["failed"]
    assert "cannot connect" in rows["failed"]
    assert "older than 72 h before the data's newest hour" in rows["suppressed"]
    only = synapscale("alerts", "list", "--warehouse", warehouse, "--status", "failed", "--workspace", "ws-alpha")
    assert len(only.stdout.splitlines()) == 2 and HALF.alert_id[:12] in only.stdout

    status = synapscale("status", "--warehouse", warehouse, env=down)
    assert "spend alerts (ops.alert_outbox): 0 sent, 2 failed, 0 pending, 1 suppressed" in status.stdout
    assert "2 spend alert(s) not delivered yet (webhook: 2 failed, last error: " in status.stdout
    assert "`synapscale alerts send`" in status.stdout

    failing = synapscale("alerts", "send", "--warehouse", warehouse, env=down)
    assert failing.returncode == 1 and "failed: webhook http://127.0.0.1:" in failing.stdout
    with Receiver() as receiver:
        sent = synapscale(
            "alerts", "send", "--warehouse", warehouse, env={"SYNAPSCALE_ALERT_WEBHOOK_URL": receiver.url}
        )
        assert receiver.keys() == [HALF.alert_id, OTHER.alert_id]
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "delivered 2, failed 0, 0 left to deliver" in sent.stdout
    after = synapscale("status", "--warehouse", warehouse, env={"SYNAPSCALE_ALERT_WEBHOOK_URL": receiver.url})
    assert "2 sent, 0 failed, 0 pending, 1 suppressed" in after.stdout
    assert "spend alert(s)" not in after.stdout
