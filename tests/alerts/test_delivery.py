"""Delivery from the outbox to a real JSONL file and a real HTTP server on 127.0.0.1 that fails some requests:
each alert enters the outbox once, reaches each sink once across passes, failures are retried on the next
pass, and a first pass over old history sends only the recent alerts."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from synapscale.alerts.config import AlertConfig
from synapscale.alerts.deliver import deliver_published
from tests.alerts.published import Alert, publish_alerts
from tests.support.webhook import Receiver, closed_port_url

# A $10.00 budget in March 2025, crossed at 50 % (11:00), 80 % (13:00) and 100 % (15:00) on the 10th; the
# data's newest hour is 15:00, so with a 72-hour lookback anything before 2025-03-07 16:00 is old.
HALF = Alert("ws-alpha", "Alpha Labs", "2025-03", 50, "2025-03-10T11:00:00Z", "5.50", "10")
EIGHTY = Alert("ws-alpha", "Alpha Labs", "2025-03", 80, "2025-03-10T13:00:00Z", "8.50", "10")
FULL = Alert("ws-alpha", "Alpha Labs", "2025-03", 100, "2025-03-10T15:00:00Z", "10.25", "10")
OLD = Alert("ws-beta", None, "2025-01", 100, "2025-01-20T09:00:00Z", "1234.565", "1000")
NEWEST_HOUR = "2025-03-10T15:00:00Z"


def outbox(build_db: Path) -> dict[str, str]:
    with duckdb.connect(str(build_db), read_only=True) as con:
        return dict(con.execute("select alert_id, status from ops.alert_outbox").fetchall())


def deliveries(build_db: Path) -> dict[tuple[str, str], tuple[str, int]]:
    with duckdb.connect(str(build_db), read_only=True) as con:
        rows = con.execute("select alert_id, sink, status, attempts from ops.alert_deliveries").fetchall()
    return {(alert_id, sink): (status, attempts) for alert_id, sink, status, attempts in rows}


def jsonl_ids(path: Path) -> list[str]:
    return [json.loads(line)["alert_id"] for line in path.read_text().splitlines()]


def test_each_alert_enters_once_and_history_older_than_the_lookback_is_suppressed(tmp_path: Path) -> None:
    settings = publish_alerts(tmp_path / "warehouse", [OLD, HALF, EIGHTY], NEWEST_HOUR)
    file = tmp_path / "alerts.jsonl"
    config = AlertConfig(jsonl_path=file)
    first = deliver_published(settings, config, progress=lambda line: None)
    assert (first.new, first.suppressed, first.sent, first.failed, first.left) == (2, 1, 2, 0, 0)
    assert jsonl_ids(file) == [HALF.alert_id, EIGHTY.alert_id]
    assert outbox(settings.build_db) == {OLD.alert_id: "suppressed", HALF.alert_id: "sent", EIGHTY.alert_id: "sent"}

    again = deliver_published(settings, config, progress=lambda line: None)
    assert (again.new, again.suppressed, again.sent) == (0, 0, 0)
    # the next publication still holds every alert, plus the 100 % crossing: only that one is new
    publish_alerts(tmp_path / "warehouse", [OLD, HALF, EIGHTY, FULL], "2025-03-10T16:00:00Z", run_id="run-2")
    third = deliver_published(settings, config, progress=lambda line: None)
    assert (third.new, third.sent) == (1, 1)
    assert jsonl_ids(file) == [HALF.alert_id, EIGHTY.alert_id, FULL.alert_id]
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        assert con.execute(
            "select first_seen_run_id, count(*) from ops.alert_outbox group by 1 order by 1"
        ).fetchall() == [("run-1", 3), ("run-2", 1)]
        assert con.execute("select count(*), count(distinct alert_id) from ops.alert_outbox").fetchall() == [(4, 4)]


def test_webhook_500_and_timeout_are_retried_on_the_next_pass_and_each_alert_is_accepted_once(
    tmp_path: Path,
) -> None:
    settings = publish_alerts(tmp_path / "warehouse", [HALF, EIGHTY, FULL], NEWEST_HOUR)
    # pass 1: HALF gets a 500 (the receiver is down: the rest wait); pass 2: HALF ok, EIGHTY hangs past the
    # timeout (the rest wait); pass 3: EIGHTY and FULL ok
    with Receiver([500, "ok", "hang"], hang_seconds=2.0) as receiver:
        config = AlertConfig(webhook_url=receiver.url, timeout_seconds=0.5)
        first = deliver_published(settings, config, progress=lambda line: None)
        assert (first.sent, first.failed, first.left) == (0, 1, 3)
        assert "HTTP 500" in first.problems[0] and "2 more left for the next run" in first.problems[0]
        assert deliveries(settings.build_db) == {
            (HALF.alert_id, "webhook"): ("failed", 1),
            (EIGHTY.alert_id, "webhook"): ("failed", 0),  # not tried: waiting for the receiver
            (FULL.alert_id, "webhook"): ("failed", 0),
        }

        second = deliver_published(settings, config, progress=lambda line: None)
        assert (second.sent, second.failed, second.left) == (1, 1, 2)
        assert "no answer within 0.5s (timeout)" in second.problems[0]

        third = deliver_published(settings, config, progress=lambda line: None)
        assert (third.sent, third.failed, third.left) == (2, 0, 0)
        fourth = deliver_published(settings, config, progress=lambda line: None)
        assert (fourth.sent, fourth.failed) == (0, 0)

        accepted = [r.headers["idempotency-key"] for r in receiver.accepted()]
        assert accepted == [HALF.alert_id, EIGHTY.alert_id, FULL.alert_id]
        # every request carried its alert's id; the one that hung was the same alert, posted again
        assert receiver.keys() == [HALF.alert_id, HALF.alert_id, EIGHTY.alert_id, EIGHTY.alert_id, FULL.alert_id]
    assert deliveries(settings.build_db) == {
        (HALF.alert_id, "webhook"): ("sent", 2),
        (EIGHTY.alert_id, "webhook"): ("sent", 2),
        (FULL.alert_id, "webhook"): ("sent", 1),  # it waited two passes without being tried
    }
    assert set(outbox(settings.build_db).values()) == {"sent"}


def test_a_refused_webhook_fails_only_its_own_deliveries_and_the_file_still_gets_every_alert(tmp_path: Path) -> None:
    settings = publish_alerts(tmp_path / "warehouse", [HALF, EIGHTY], NEWEST_HOUR)
    file = tmp_path / "alerts.jsonl"
    config = AlertConfig(webhook_url=closed_port_url(), jsonl_path=file, timeout_seconds=2)
    outcome = deliver_published(settings, config, progress=lambda line: None)
    assert (outcome.sent, outcome.failed, outcome.left) == (2, 1, 2)
    assert "cannot connect" in outcome.problems[0] and "Connection refused" in outcome.problems[0]
    assert jsonl_ids(file) == [HALF.alert_id, EIGHTY.alert_id]
    assert outbox(settings.build_db) == {HALF.alert_id: "failed", EIGHTY.alert_id: "failed"}


def test_a_sink_configured_later_gets_only_the_alerts_still_inside_the_lookback(tmp_path: Path) -> None:
    settings = publish_alerts(tmp_path / "warehouse", [HALF, FULL], NEWEST_HOUR)
    deliver_published(settings, AlertConfig(), progress=lambda line: None)  # no sink yet: recorded, pending
    assert set(outbox(settings.build_db).values()) == {"pending"}
    # four days later in the data the 50 % crossing is older than 72 h, the 100 % one (15:00) is not
    publish_alerts(tmp_path / "warehouse", [HALF, FULL], "2025-03-13T14:00:00Z", run_id="run-2")
    file = tmp_path / "alerts.jsonl"
    outcome = deliver_published(settings, AlertConfig(jsonl_path=file), progress=lambda line: None)
    assert (outcome.new, outcome.sent) == (0, 1)
    assert jsonl_ids(file) == [FULL.alert_id]
    assert outbox(settings.build_db) == {HALF.alert_id: "suppressed", FULL.alert_id: "sent"}
