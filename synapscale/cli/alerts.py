"""`synapscale alerts list|send|test`: the spend-alert outbox for operators (docs/operations.md#spend-alerts)."""

from __future__ import annotations

import argparse

from synapscale import settings
from synapscale.cli.args import add_warehouse, iso_date, positive_int, subcommands
from synapscale.errors import EXIT_FAILED, EXIT_OK

STATUSES = ("pending", "sent", "failed", "suppressed")
TYPES = ("budget_threshold", "forecast_overrun", "spend_anomaly")


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("alerts", help="spend alerts: the outbox, delivering now, a test message")
    alert_commands = subcommands(group, "alerts_command", "ALERTS_COMMAND")
    listing = alert_commands.add_parser("list", help="the outbox, newest first, with each sink's delivery")
    add_warehouse(listing)
    listing.add_argument("--status", choices=STATUSES, help="only alerts with this status")
    listing.add_argument("--workspace", help="only this workspace_id")
    listing.add_argument("--type", dest="alert_type", choices=TYPES, help="only this alert type")
    listing.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD", help="only alerts that occurred since")
    listing.add_argument("--limit", type=positive_int, default=50, help="at most this many rows (default 50)")
    listing.set_defaults(handler=handle_list)
    send = alert_commands.add_parser("send", help="take the published alerts into the outbox and deliver now")
    add_warehouse(send)
    send.set_defaults(handler=handle_send)
    test = alert_commands.add_parser("test", help="send one test message to each configured sink")
    test.set_defaults(handler=handle_test)


def handle_list(args: argparse.Namespace) -> int:
    from synapscale.alerts.report import Filters, listing
    from synapscale.ops import history
    from synapscale.ops.render import table
    from synapscale.pipeline.lock import run_lock

    cfg = settings.from_env(warehouse=args.warehouse)
    if not cfg.build_db.exists():
        print(f"no build database at {cfg.build_db}: no run yet, so no alerts")
        return EXIT_OK
    filters = Filters(args.status, args.workspace, args.alert_type, args.since, args.limit)
    with run_lock(cfg.lock_file, "alerts list", keep_previous=True), history.connect(cfg.build_db, True) as con:
        rows = listing(con, filters)
    if not rows:
        filtered = any((args.status, args.workspace, args.alert_type, args.since))
        print("no alerts in the outbox" + (" matching these filters" if filtered else ""))
        return EXIT_OK
    headers = ("occurred (UTC)", "type", "pct", "workspace", "severity", "status", "deliveries", "alert", "note")
    print("\n".join(table(headers, [_list_row(row) for row in rows])))
    return EXIT_OK


def _list_row(row: dict) -> list[object]:
    note = row["last_error"] or row["suppressed_reason"] or row["message"]
    return [
        row["occurred_at"],
        row["alert_type"],
        row["threshold_pct"],
        row["workspace_id"],
        row["severity"],
        row["status"],
        row["deliveries"],
        row["alert_id"][:12],
        note if len(note) <= 100 else note[:97] + "...",
    ]


def handle_send(args: argparse.Namespace) -> int:
    from synapscale.alerts import config
    from synapscale.alerts.deliver import deliver_published
    from synapscale.pipeline.lock import run_lock

    cfg, alert_config = settings.from_env(warehouse=args.warehouse), config.from_env()
    if not cfg.serve_db.exists() or not cfg.build_db.exists():
        print(f"nothing is published yet in {cfg.warehouse_dir}: run `synapscale run` first")
        return EXIT_FAILED
    if not alert_config.sinks:
        print("no sink configured: set SYNAPSCALE_ALERT_WEBHOOK_URL and/or SYNAPSCALE_ALERT_JSONL (alerts are "
              "still taken into the outbox, and delivered once a sink is set)")  # fmt: skip
    with run_lock(cfg.lock_file, "alerts send", keep_previous=True):
        outcome = deliver_published(cfg, alert_config)
    print(outcome.summary())
    for problem in outcome.problems:
        print(f"failed: {problem}")
    return EXIT_FAILED if outcome.failed else EXIT_OK


def handle_test(args: argparse.Namespace) -> int:
    from synapscale.alerts import config
    from synapscale.alerts.deliver import send_test

    alert_config = config.from_env()
    if not alert_config.sinks:
        print("no sink configured: set SYNAPSCALE_ALERT_WEBHOOK_URL and/or SYNAPSCALE_ALERT_JSONL")
        return EXIT_FAILED
    results = send_test(alert_config)
    for target, error in results:
        print(f"{target}: " + (f"FAILED: {error}" if error else "delivered"))
    return EXIT_FAILED if any(error for _, error in results) else EXIT_OK
