-- The daily trend series of each workspace; the rule: macros/metrics.sql, trend_series_daily.
{{ trend_series_daily(['workspace_id']) }}
