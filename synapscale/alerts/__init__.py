"""Spend alerts: the outbox (`ops.alert_outbox`, `ops.alert_deliveries`) filled from the published
`marts.alert_events`, and delivery to the configured sinks (a webhook, an append-only JSONL file), each alert
once per sink (docs/operations.md#spend-alerts)."""
