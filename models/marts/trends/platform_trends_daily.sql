-- The daily trend series of the whole platform (every workspace together);
-- the rule: macros/metrics.sql, trend_series_daily.
{{ trend_series_daily([]) }}
