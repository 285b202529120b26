-- The monthly trend series of each workspace; the rule: macros/metrics.sql, trend_series_period.
{{ trend_series_period(['workspace_id'], ref('workspace_trends_daily'), 'month') }}
