{{ config(materialized='incremental', **day_slice_config('local_date')) }}
-- depends_on: {{ ref('workspaces') }} (read on incremental runs only: the timezone moves)

-- Spend per workspace-local day x workspace x model x provider, every user summed: cost_daily_local without the
-- user (~15x fewer rows), the local-day twin of cost_daily that the dashboard's figures read in each workspace's
-- own days. Additive. Incremental by local date: the dates cost_daily_local rebuilt with newer rows, and every
-- local date of a workspace whose timezone changed (macros/roll_ups.sql).
{{ cost_roll_up(
    ref('cost_daily_local'), 'local_date', ['timezone', 'workspace_id', 'model', 'provider'], timezone_moves=true
) }}
