"""Operating the warehouse: run history (`history`), how fresh the raw data is (`freshness`), what
`synapscale status` shows (`status`), and the read-only SQL session for analysts (`sql`)."""
