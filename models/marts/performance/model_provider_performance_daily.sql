{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Per model x provider x UTC day (the same model served by several providers, e.g. Anthropic and Bedrock);
-- the rule: macros/performance.sql, model_performance.
{{ model_performance(['model', 'provider']) }}
