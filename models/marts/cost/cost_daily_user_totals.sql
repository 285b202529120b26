{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Spend per UTC day x workspace x user, every model and provider summed: cost_daily_by_user without the model
-- and provider, ~4x fewer rows for the dashboard's per-user figures (Cost explorer by user, top users, active
-- users) when no provider or model is chosen. Additive. Incremental by UTC day: the days cost_daily_by_user
-- rebuilt since the last run (macros/roll_ups.sql).
{{ cost_roll_up(ref('cost_daily_by_user'), 'usage_date', ['workspace_id', 'user_id']) }}
