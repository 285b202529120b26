{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Per workspace x model x provider x UTC day: model_provider_performance_daily with the workspace, so the
-- dashboard's Model performance page (and the cost side of Feedback and quality) can honour the workspace
-- filter. The rule: macros/metrics.sql, model_performance.
{{ model_performance(['workspace_id', 'model', 'provider']) }}
