-- The monthly trend series of the whole platform; the rule: macros/metrics.sql, trend_series_period.
{{ trend_series_period([], ref('platform_trends_daily'), 'month') }}
