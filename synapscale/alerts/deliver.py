"""One delivery pass: take the newly published alerts into the outbox, then deliver what each configured sink
has not had yet, recording every attempt before and after it is made.

Exactly once per sink: an alert is sent to a sink only while its delivery row is missing, 'failed' or
'sending', and becomes 'sent' in the transaction right after the sink accepted it. A crash in between (the
delivery row left 'sending') is settled on the next pass: the JSONL sink looks for the id in its file and only
appends when it is not there; the webhook is posted again with the same `Idempotency-Key` (the alert id), so a
receiver that de-duplicates sees it once (one that does not, such as Slack itself, may show it twice: the
window is the few milliseconds between the answer and the commit).

A failed delivery stays 'failed' and is retried on the next pass; a sink that is down (no connection, a
timeout, HTTP 5xx or 429) is skipped for the rest of the pass, so a pass waits at most one timeout per sink.
Nothing here raises for a delivery problem: the pipeline calls this after it has published.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from synapscale.alerts import outbox, payload
from synapscale.alerts.config import AlertConfig
from synapscale.alerts.sinks import DeliveryFailed, JsonlSink, Sink, WebhookSink
from synapscale.ops import history
from synapscale.settings import Settings

Progress = Callable[[str], None]
Checkpoint = Callable[[str], None]


@dataclass
class Outcome:
    sinks: list[str]
    new: int = 0
    suppressed: int = 0
    sent: int = 0
    failed: int = 0
    left: int = 0  # alerts still to deliver to some sink after this pass
    problems: list[str] = field(default_factory=list)

    def history_values(self) -> dict[str, Any]:
        return {
            "alerts_new": self.new,
            "alerts_suppressed": self.suppressed,
            "alerts_sent": self.sent,
            "alerts_failed": self.failed,
            "alerts_pending": self.left,
        }

    def summary(self) -> str:
        where = ", ".join(self.sinks) if self.sinks else "no sink configured"
        return (
            f"alerts: {self.new} new, {self.suppressed} suppressed (older than the lookback window); "
            f"delivered {self.sent}, failed {self.failed}, {self.left} left to deliver ({where})"
        )


def sinks_of(config: AlertConfig) -> list[Sink]:
    found: list[Sink] = []
    for name in config.sinks:
        if name == "jsonl" and config.jsonl_path is not None:
            found.append(JsonlSink(config.jsonl_path))
        elif name == "webhook" and config.webhook_url is not None:
            found.append(WebhookSink(config.webhook_url, config.timeout_seconds))
    return found


def deliver_published(
    settings: Settings,
    config: AlertConfig,
    *,
    progress: Progress = print,
    checkpoint: Checkpoint | None = None,
) -> Outcome:
    """Collect the serve file's alerts into the build database's outbox and deliver the pending ones.
    The caller holds the run lock."""
    outcome = Outcome(sinks=config.sinks)
    with history.connect(settings.build_db) as con:
        outbox.ensure_tables(con)
        collected = outbox.collect(con, settings.serve_db, config.lookback_hours, history.now())
        outcome.new, outcome.suppressed = collected.new, collected.suppressed
        cutoff = collected.reference_at - timedelta(hours=config.lookback_hours)
        for sink in sinks_of(config):
            _deliver_to(con, sink, config.describe(sink.name), cutoff, outcome, progress, checkpoint)
        outbox.refresh_status(con, config.sinks, history.now())
        outcome.left = con.execute(
            f"select count(*) from {outbox.OUTBOX} where status in ('pending', 'failed')"
        ).fetchall()[0][0]
    return outcome


def _deliver_to(
    con: duckdb.DuckDBPyConnection,
    sink: Sink,
    target: str,
    cutoff: datetime,
    outcome: Outcome,
    progress: Progress,
    checkpoint: Checkpoint | None,
) -> None:
    todo = outbox.due(con, sink.name, target, cutoff, history.now())
    in_file = sink.delivered_ids() if isinstance(sink, JsonlSink) and todo else set()
    for position, item in enumerate(todo):
        if item.alert_id in in_file:  # appended before, its record lost (a crash in between): never twice
            outbox.mark_done(con, item.alert_id, sink.name, history.now(), note="found in the file, not appended again")
            continue
        outbox.mark_attempt(con, item.alert_id, sink.name, target, history.now())
        try:
            sink.send(item.alert)
        except DeliveryFailed as failure:
            outbox.mark_done(con, item.alert_id, sink.name, history.now(), error=str(failure))
            outcome.failed += 1
            problem = f"{target}: {failure}"
            if failure.sink_down:
                rest = [later.alert_id for later in todo[position + 1 :]]
                reason = f"not tried: {sink.name} was unavailable ({failure})"
                outbox.mark_not_tried(con, rest, sink.name, target, reason)
                problem += f"; {len(rest)} more left for the next run" if rest else ""
                outcome.problems.append(problem)
                progress(f"  alert delivery to {problem}")
                return
            outcome.problems.append(f"{problem} (alert {item.alert_id})")
            continue
        if checkpoint is not None:
            checkpoint(f"alert_sent:{sink.name}:{item.alert_id}")
        outbox.mark_done(con, item.alert_id, sink.name, history.now())
        outcome.sent += 1
        progress(f"  alert {item.alert_id[:12]} → {sink.name}: {item.alert['message']}")


def sample_alert(now: datetime | None = None) -> dict[str, Any]:
    """A test message, shaped as an alert of type 'test' (its id is unique, so receivers keep it)."""
    moment = now or datetime.now(UTC)
    host = socket.gethostname()
    return payload.record(
        {
            "alert_id": f"test-{moment:%Y%m%dT%H%M%SZ}-{os.getpid()}",
            "alert_type": "test",
            "severity": "info",
            "workspace_id": "-",
            "occurred_at": moment,
            "message": f"SynapScale test alert from {host} at {moment:%Y-%m-%d %H:%M:%S} UTC: "
            "spend alerts reach this sink.",
        }
    )


def send_test(config: AlertConfig) -> list[tuple[str, str | None]]:
    """Send one test message to each configured sink: (sink description, None when delivered, else why not).
    Nothing is recorded in the outbox."""
    alert = sample_alert()
    results: list[tuple[str, str | None]] = []
    for sink in sinks_of(config):
        try:
            sink.send(alert)
            results.append((config.describe(sink.name), None))
        except DeliveryFailed as failure:
            results.append((config.describe(sink.name), str(failure)))
    return results
