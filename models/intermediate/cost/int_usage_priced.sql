-- One row per LLM call (event_id, de-duplicated upstream) with its model key, tokens in exclusive buckets, the
-- price row in force at occurred_at, the cost of each bucket and the call's cost with its status.
-- Cost rules: docs/cost.md, macros/cost.sql.
{{ priced_calls(ref('int_usage_events_deduplicated')) }}
