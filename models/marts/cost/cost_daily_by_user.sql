{{ config(materialized='incremental', **day_slice_config('usage_date')) }}

-- Spend per UTC day x workspace x user x model x provider, rolled up from cost_hourly: the per-user grain of
-- cost_daily (additive), which user_spend_monthly and the trend marts aggregate. Incremental by UTC day: the
-- days cost_hourly rebuilt since the last run (macros/roll_ups.sql).
{{ cost_roll_up(ref('cost_hourly'), 'usage_date', ['workspace_id', 'user_id', 'model', 'provider']) }}
