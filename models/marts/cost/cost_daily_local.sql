{{ config(materialized='incremental', **day_slice_config('local_date')) }}
-- depends_on: {{ ref('workspaces') }} (read on incremental runs only: the timezone moves)

-- Spend per workspace-local day x workspace x user x model x provider: each workspace's own midnight (its
-- IANA timezone in core.workspaces, DST included), summed exactly from cost_hourly, which carries the local
-- date of every call. Incremental by local date: the local dates of the hourly rows rebuilt since the last
-- run, plus every local date (old and new) of a workspace whose timezone changed (macros/roll_ups.sql).
{{ cost_roll_up(
    ref('cost_hourly'), 'local_date', ['timezone', 'workspace_id', 'user_id', 'model', 'provider'], timezone_moves=true
) }}
