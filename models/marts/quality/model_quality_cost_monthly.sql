{{ config(materialized='incremental', **day_slice_config('usage_month')) }}

-- Per model x UTC month: quality (thumbs-up rate, mean rating, feedback score) next to cost (cost per call,
-- cost per 1k tokens) and latency (p50/p95/p99) of the same calls, so "better but dearer" is one row per model.
-- The rule is model_performance's (macros/performance.sql) at month grain; incremental by month (month slices:
-- a run with new calls or feedback rebuilds their months).
{{ model_performance(['model'], 'usage_month', month_start) }}
