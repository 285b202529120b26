{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Per model x UTC day, all providers together; the rule: macros/performance.sql, model_performance.
{{ model_performance(['model']) }}
