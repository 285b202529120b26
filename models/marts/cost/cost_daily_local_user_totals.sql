{{ config(materialized='incremental', **day_slice_config('local_date')) }}
-- depends_on: {{ ref('workspaces') }} (read on incremental runs only: the timezone moves)

-- Spend per workspace-local day x workspace x user, every model and provider summed: cost_daily_local without
-- the model and provider, the local-day twin of cost_daily_user_totals (the dashboard's per-user figures in each
-- workspace's own days when no provider or model is chosen). Additive. Incremental by local date, as
-- cost_daily_local_by_model (macros/roll_ups.sql).
{{ cost_roll_up(ref('cost_daily_local'), 'local_date', ['timezone', 'workspace_id', 'user_id'], timezone_moves=true) }}
