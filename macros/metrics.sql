{#- Rules the marts share (docs/marts/): cost roll-ups, ratios, windows, feedback on calls, trend series.
    Performance measures and arrival lateness: macros/performance.sql. -#}

{#- The additive measures of a cost mart summed over rows of a finer cost mart (hours into days, ...), with the
    lineage column: one list, so every cost grain carries the same measures. -#}
{% macro rolled_up_cost_measures() -%}
    sum(calls) as calls,
    sum(error_calls) as error_calls,
    {{ summed_bucket_measures() }},
    sum(unpriced_calls) as unpriced_calls,
    max(last_ingested_at) as last_ingested_at
{%- endmacro %}

{#- The same measures over calls (usage_logs rows): cost_hourly, and cost_daily_by_tag, which reads calls. -#}
{% macro call_cost_measures() -%}
    count(*) as calls,
    count(*) filter (where status = 'error') as error_calls,
    {{ summed_bucket_measures() }},
    count(*) filter (where cost_status = 'unpriced') as unpriced_calls,
    max(ingested_at) as last_ingested_at
{%- endmacro %}

{#- The same measures in the final select, typed as the contracts say. -#}
{% macro cost_measure_columns() -%}
    calls::bigint as calls,
    error_calls::bigint as error_calls,
    {{ token_cost_columns() }},
    unpriced_calls::bigint as unpriced_calls,
    last_ingested_at
{%- endmacro %}

{#- The tokens and costs of summed_bucket_measures (macros/cost.sql) in a final select: tokens as BIGINT, costs
    as summed (DECIMAL). Part of cost_measure_columns; token_mix_daily, whose calls are cut finer, uses it alone. -#}
{% macro token_cost_columns() -%}
    input_tokens::bigint as input_tokens,
    output_tokens::bigint as output_tokens,
    {%- for bucket in cost_buckets() %}
    {{ bucket.name }}_tokens::bigint as {{ bucket.name }}_tokens,
    {%- endfor %}
    {%- for bucket in cost_buckets() %}
    {{ bucket.name }}_cost_usd,
    {%- endfor %}
    cost_usd
{%- endmacro %}

{#- A ratio of two counts or amounts as a DOUBLE (rates, shares, per-token figures); NULL when the
    denominator is 0 or NULL. Money divided by a count stays DECIMAL: divide_money (cross_engine.sql). -#}
{% macro ratio(numerator, denominator) -%}
    case when {{ denominator }} <> 0 then ({{ numerator }})::double / ({{ denominator }})::double end
{%- endmacro %}

{#- The first day of the `days`-day window that ends on, and includes, `end_date` (churn and recommendations). -#}
{% macro window_start_date(end_date, days) -%}
    {{ add_days(end_date, 1 - days) }}
{%- endmacro %}

{#- Feedback on the calls of `calls` (a CTE or relation with event_id and the call's columns): each latest
    feedback version (core.message_feedbacks) is attributed to the first call of its message (core.messages),
    so its model, provider and day are that call's. Feedback on a message no call produced is not attributed
    (see core.messages.is_feedback_only). -#}
{% macro feedback_on_calls(calls) -%}
    select
        {{ calls }}.*,
        feedback.feedback_id,
        feedback.kind as feedback_kind,
        feedback.score as feedback_score,
        feedback.category as feedback_category,
        feedback.comment as feedback_comment,
        feedback.feedback_source,
        feedback.is_value_valid as is_feedback_value_valid,
        feedback.ingested_at as feedback_ingested_at
    from {{ ref('message_feedbacks') }} as feedback
    inner join {{ ref('messages') }} as messages on feedback.message_id = messages.message_id
    inner join {{ calls }} on messages.event_id = {{ calls }}.event_id
{%- endmacro %}

{#- The slices (slice_date, of the calls: slice_expression over usage_logs aliased `calls`) re-opened by feedback,
    which counts on its message's first call (feedback_on_calls):
      * a latest feedback version ingested after the mart's feedback watermark (last_feedback_ingested_at)
        re-opens the slice of the first call of every message any version of it is or was about;
      * a call ingested after the mart's call watermark (last_ingested_at) that is now the first call of a
        message with feedback (feedback can land before its call; a late call can precede the first) re-opens
        the slices of all the message's calls (the previous first call's included).
    `contributes`: the feedback the mart holds (see slices_loaded_after). On a full build: none. -#}
{% macro slices_with_new_feedback(slice_expression='calls.usage_date', contributes='true') -%}
    {%- set versions = ref('stg_raw__feedback_events') -%}
    {%- if is_incremental() -%}
        {#- Two filtered joins rather than one join filtered by `or`: each side's filter runs before its join. -#}
        select distinct {{ slice_expression }} as slice_date
        from (
            select * from {{ ref('message_feedbacks') }}
            where ingested_at > {{ slice_watermark('last_feedback_ingested_at') }}
        ) as feedback
        inner join {{ versions }} as versions on feedback.feedback_id = versions.feedback_id
        inner join {{ ref('messages') }} as messages on versions.message_id = messages.message_id
        inner join {{ ref('usage_logs') }} as calls on messages.event_id = calls.event_id
        where {{ contributes }}
        union
        select distinct {{ slice_expression }} as slice_date
        from (
            select * from {{ ref('usage_logs') }}
            where ingested_at > {{ slice_watermark('last_ingested_at') }}
        ) as new_calls
        inner join {{ ref('messages') }} as messages on new_calls.event_id = messages.event_id
        inner join {{ ref('message_feedbacks') }} as feedback on messages.message_id = feedback.message_id
        inner join {{ ref('usage_logs') }} as calls on messages.message_id = calls.message_id
        where {{ contributes }}
    {%- else -%}
        {{ no_slices() }}
    {%- endif -%}
{%- endmacro %}

{#- Feedback counts over the rows of feedback_on_calls in a group (rates come from them: feedback_rates). -#}
{% macro feedback_measures() -%}
    count(feedback_id) as feedback_count,
    count(feedback_id) filter (where feedback_kind = 'thumbs' and feedback_score is not null) as thumbs_count,
    count(feedback_id) filter (where feedback_kind = 'thumbs' and feedback_score = 1) as thumbs_up_count,
    count(feedback_id) filter (where feedback_kind = 'rating' and feedback_score is not null) as rating_count,
    coalesce(sum(feedback_score) filter (where feedback_kind = 'rating'), 0) as rating_sum,
    max(feedback_ingested_at) as last_feedback_ingested_at
{%- endmacro %}

{#- Rates from those counts, each NULL without evidence. mean_feedback_score puts thumbs and ratings on one
    0..1 scale (thumbs 0 or 1, a rating r as (r - 1) / 4) and averages them; computed from whole-number sums,
    so it does not depend on the order rows are summed in. -#}
{% macro feedback_rates() -%}
    {{ ratio('thumbs_up_count', 'thumbs_count') }} as thumbs_up_rate,
    {{ ratio('rating_sum', 'rating_count') }} as mean_rating,
    {{ ratio('4 * thumbs_up_count + rating_sum - rating_count', '4 * (thumbs_count + rating_count)') }}
        as mean_feedback_score
{%- endmacro %}

{# ---------------------------------------------------------------------------------------------------------
   Trend series (models/marts/trends/): one rule for every scope (per workspace, the whole platform) and grain.
--------------------------------------------------------------------------------------------------------- #}

{#- `columns` (a list of names) as a select-list prefix ('a.x, a.y, '), or nothing for the platform scope. -#}
{% macro _scope_columns(columns, alias=none) -%}
    {%- for column in columns -%}{{ alias ~ '.' if alias }}{{ column }}, {% endfor -%}
{%- endmacro %}

{#- `partition by ...` of a window over the scope, or nothing. -#}
{% macro _scope_partition(columns) -%}
    {%- if columns %}partition by {{ columns | join(', ') }}{% endif -%}
{%- endmacro %}

{#- Join condition on the scope columns (true for the platform scope). -#}
{% macro _scope_join(columns, left, right) -%}
    {%- for column in columns %}{{ left }}.{{ column }} = {{ right }}.{{ column }} and {% endfor %}true
{%- endmacro %}

{#- The previous period's spend, calls and active users (`window`: by period within the scope); NULL at first. -#}
{% macro _previous_period_values(window) -%}
    lag(spend_usd) over {{ window }} as previous_spend_usd,
        lag(calls) over {{ window }} as previous_calls,
        lag(active_users) over {{ window }} as previous_active_users
{%- endmacro %}

{#- A period vs the previous one (_previous_period_values): change in spend, growth of spend, calls and users. -#}
{% macro _change_vs_previous_period() -%}
    previous_spend_usd::decimal(38, 18) as previous_spend_usd,
        (spend_usd - previous_spend_usd)::decimal(38, 18) as spend_change_usd,
        {{ ratio('spend_usd - previous_spend_usd', 'previous_spend_usd') }} as spend_growth,
        {{ ratio('calls - previous_calls', 'previous_calls') }} as calls_growth,
        {{ ratio('active_users - previous_active_users', 'previous_active_users') }} as active_users_growth
{%- endmacro %}

{#- The daily series of a scope, from cost_daily_by_user: one row per scope x UTC day from the scope's first
    day with calls to the last day of data (days without calls are 0), with
      * spend, calls, tokens and distinct active users (DAU) of the day;
      * distinct users active in the trailing 7 and 28 days, the day included (WAU, MAU);
      * trailing 7- and 28-day means of spend and calls over the days of the window that belong to the series
        (fewer at its start: days_in_series says how many);
      * the previous day's figures and the growth vs it (NULL when the previous day is 0 or before the series). -#}
{% macro trend_series_daily(scope) -%}
with

by_user as (
    select * from {{ ref('cost_daily_by_user') }}
),

bounds as (
    select
        min(usage_date) as first_date,
        max(usage_date) as last_date
    from by_user
),

scope_starts as (
    select
        {{ _scope_columns(scope) }}min(usage_date) as first_date
    from by_user
    {% if scope %}group by {{ scope | join(', ') }}{% endif %}
),

calendar as (
    {{ date_series('(select bounds.first_date from bounds)', '(select bounds.last_date from bounds)') }}
),

spine as (
    select
        {{ _scope_columns(scope, 'scope_starts') }}calendar.date_day as usage_date,
        scope_starts.first_date
    from scope_starts
    cross join calendar
    where calendar.date_day >= scope_starts.first_date
),

totals as (
    select
        {{ _scope_columns(scope) }}usage_date,
        sum(cost_usd) as spend_usd,
        sum(calls) as calls,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        count(distinct user_id) as active_users
    from by_user
    group by {{ _scope_columns(scope) }}usage_date
),

user_days as (
    select distinct
        {{ _scope_columns(scope) }}user_id,
        usage_date
    from by_user
),

days_back as (
    {%- for n in range(28) %}
        select {{ n }} as days_back{{ ' union all' if not loop.last }}
    {%- endfor %}
),

-- Each active user-day counts on that day and the 27 following ones; the smallest distance says whether
-- the user was active within the last 7 days too.
user_windows as (
    select
        {{ _scope_columns(scope, 'user_days') }}user_days.user_id,
        {{ add_days('user_days.usage_date', 'days_back.days_back') }} as usage_date,
        min(days_back.days_back) as days_since_active
    from user_days
    cross join days_back
    group by {{ _scope_columns(scope, 'user_days') }}user_days.user_id, {{ add_days('user_days.usage_date', 'days_back.days_back') }}
),

window_users as (
    select
        {{ _scope_columns(scope) }}usage_date,
        count(*) filter (where days_since_active < 7) as active_users_7d,
        count(*) as active_users_28d
    from user_windows
    group by {{ _scope_columns(scope) }}usage_date
),

series as (
    select
        {{ _scope_columns(scope, 'spine') }}spine.usage_date,
        {{ days_between('spine.first_date', 'spine.usage_date') }} + 1 as days_in_series,
        coalesce(totals.spend_usd, 0)::decimal(38, 18) as spend_usd,
        coalesce(totals.calls, 0) as calls,
        coalesce(totals.input_tokens, 0) as input_tokens,
        coalesce(totals.output_tokens, 0) as output_tokens,
        coalesce(totals.active_users, 0) as active_users,
        coalesce(window_users.active_users_7d, 0) as active_users_7d,
        coalesce(window_users.active_users_28d, 0) as active_users_28d
    from spine
    left join totals
        on {{ _scope_join(scope, 'spine', 'totals') }} and spine.usage_date = totals.usage_date
    left join window_users
        on {{ _scope_join(scope, 'spine', 'window_users') }} and spine.usage_date = window_users.usage_date
),

windowed as (
    select
        *,
        sum(spend_usd) over last_7_days as spend_7d_usd,
        sum(spend_usd) over last_28_days as spend_28d_usd,
        sum(calls) over last_7_days as calls_7d,
        sum(calls) over last_28_days as calls_28d,
        count(*) over last_7_days as days_7d,
        count(*) over last_28_days as days_28d,
        {{ _previous_period_values('by_day') }}
    from series
    window
        by_day as ({{ _scope_partition(scope) }} order by usage_date),
        last_7_days as ({{ _scope_partition(scope) }} order by usage_date rows between 6 preceding and current row),
        last_28_days as ({{ _scope_partition(scope) }} order by usage_date rows between 27 preceding and current row)
),

final as (
    select
        usage_date,
        {{ _scope_columns(scope) }}days_in_series::bigint as days_in_series,
        spend_usd,
        calls::bigint as calls,
        input_tokens::bigint as input_tokens,
        output_tokens::bigint as output_tokens,
        (input_tokens + output_tokens)::bigint as total_tokens,
        active_users::bigint as active_users,
        active_users_7d::bigint as active_users_7d,
        active_users_28d::bigint as active_users_28d,
        {{ divide_money('spend_7d_usd', 'days_7d') }} as spend_7d_avg_usd,
        {{ divide_money('spend_28d_usd', 'days_28d') }} as spend_28d_avg_usd,
        {{ ratio('calls_7d', 'days_7d') }} as calls_7d_avg,
        {{ ratio('calls_28d', 'days_28d') }} as calls_28d_avg,
        {{ _change_vs_previous_period() }}
    from windowed
)

select * from final
{%- endmacro %}

{#- The weekly (ISO weeks, from Monday) or monthly series of a scope: sums of its daily series over the period,
    distinct users active in the period (WAU / MAU), and the change and growth vs the previous period.
    is_complete_period is false for the period holding the last day of data, still under way. -#}
{% macro trend_series_period(scope, daily_relation, period) -%}
{%- set period_column = 'usage_' ~ period -%}
{%- set period_of = week_start if period == 'week' else month_start -%}
with

daily as (
    select * from {{ daily_relation }}
),

by_user as (
    select * from {{ ref('cost_daily_by_user') }}
),

last_day as (
    select max(usage_date) as last_date from daily
),

period_totals as (
    select
        {{ period_of('usage_date') }} as {{ period_column }},
        {{ _scope_columns(scope) }}count(*) as days_observed,
        sum(spend_usd) as spend_usd,
        sum(calls) as calls,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens
    from daily
    group by {{ period_of('usage_date') }}{% for column in scope %}, {{ column }}{% endfor %}
),

period_users as (
    select
        {{ period_of('usage_date') }} as {{ period_column }},
        {{ _scope_columns(scope) }}count(distinct user_id) as active_users
    from by_user
    group by {{ period_of('usage_date') }}{% for column in scope %}, {{ column }}{% endfor %}
),

series as (
    select
        period_totals.*,
        coalesce(period_users.active_users, 0) as active_users,
        {% if period == 'week' -%}
            {{ add_days('period_totals.' ~ period_column, 6) }}
        {%- else -%}
            {{ add_days(add_months('period_totals.' ~ period_column, 1), -1) }}
        {%- endif %} as period_end_date
    from period_totals
    left join period_users
        on {{ _scope_join(scope, 'period_totals', 'period_users') }}
        and period_totals.{{ period_column }} = period_users.{{ period_column }}
),

windowed as (
    select
        *,
        {{ _previous_period_values('by_period') }}
    from series
    window by_period as ({{ _scope_partition(scope) }} order by {{ period_column }})
),

final as (
    select
        {{ period_column }},
        {{ _scope_columns(scope) }}period_end_date,
        days_observed::bigint as days_observed,
        period_end_date <= (select last_day.last_date from last_day) as is_complete_period,
        spend_usd::decimal(38, 18) as spend_usd,
        calls::bigint as calls,
        input_tokens::bigint as input_tokens,
        output_tokens::bigint as output_tokens,
        (input_tokens + output_tokens)::bigint as total_tokens,
        active_users::bigint as active_users,
        {{ _change_vs_previous_period() }}
    from windowed
)

select * from final
{%- endmacro %}
