-- One row per LLM call (event_id), the one place dbt de-duplicates calls: the rule and the call's UTC hour and
-- day are macros/usage.sql, first_ingested_calls (core.usage_logs applies it to the calls it loads).
{{ first_ingested_calls(ref('stg_raw__usage_events')) }}
