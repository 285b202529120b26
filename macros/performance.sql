{#- Performance (models/marts/performance/, and the quality marts at month grain): call counts, latency,
    throughput and unit costs per group, with the feedback on the same calls (macros/metrics.sql); and how late
    calls arrive (models/marts/data_quality/). -#}

{#- Call counts, latency and time-to-first-token percentiles, throughput and unit costs over the calls of a
    group. Percentiles: percentiles_cont (linear interpolation, as percentile_cont; one list per measure, p50,
    p95, p99, read by model_performance) over successful calls with a value; output
    tokens per second = output tokens / latency seconds, both summed over successful calls with a latency > 0
    (latency summed at microsecond precision, so the figure does not depend on summation order). -#}
{#- The percentiles of latency and time to first token the performance marts carry (latency_p50_ms, ...): the
    order of the lists performance_measures computes and model_performance reads. -#}
{% macro performance_percentiles() %}{{ return([50, 95, 99]) }}{% endmacro %}

{% macro performance_measures() -%}
    {%- set fractions = [] -%}
    {%- for q in performance_percentiles() -%}{%- do fractions.append(q / 100) -%}{%- endfor -%}
    count(*) as calls,
    count(*) filter (where status = 'success') as success_calls,
    count(*) filter (where status = 'error') as error_calls,
    count(*) filter (where cost_status <> 'unpriced') as priced_calls,
    count(*) filter (where cost_status <> 'unpriced' and status = 'success') as priced_success_calls,
    {{ percentiles_cont("case when status = 'success' then latency_ms end", fractions) }} as latency_percentiles,
    {{ percentiles_cont("case when status = 'success' then time_to_first_token_ms end", fractions) }}
        as time_to_first_token_percentiles,
    sum(output_tokens) filter (where status = 'success' and latency_ms > 0) as timed_output_tokens,
    sum(latency_ms::decimal(38, 3)) filter (where status = 'success' and latency_ms > 0) as timed_latency_ms,
    sum(input_tokens) as input_tokens,
    sum(output_tokens) as output_tokens,
    sum(input_tokens + output_tokens) filter (where cost_status <> 'unpriced') as priced_tokens,
    coalesce(sum(cost_usd), 0)::decimal(38, 18) as cost_usd,
    max(ingested_at) as last_ingested_at
{%- endmacro %}

{#- The performance mart of a grain (a list of usage_logs columns) per slice (the UTC day, or the month:
    slice_column and its expression over usage_logs' usage_date): performance_measures plus the feedback on
    the same calls, incremental by slice (new calls or new feedback re-open it). -#}
{% macro model_performance(grain, slice_column='usage_date', slice_of=none) -%}
{%- set slice_sql = slice_of('usage_date') if slice_of else 'usage_date' -%}
with

touched_slices as (
    {{ slices_loaded_after(ref('usage_logs'), slice_sql, 'ingested_at', 'last_ingested_at') }}
    union
    {{ slices_with_new_feedback(slice_of('calls.usage_date') if slice_of else 'calls.usage_date') }}
),

usage as (
    select
        *,
        {{ slice_sql }} as slice_value
    from {{ ref('usage_logs') }}
    where {{ in_touched_slices(slice_sql) }}
),

performance as (
    select
        slice_value,
        {{ grain | join(', ') }},
        {{ performance_measures() }}
    from usage
    group by slice_value, {{ grain | join(', ') }}
),

call_feedback as (
    {{ feedback_on_calls('usage') }}
),

feedback as (
    select
        slice_value,
        {{ grain | join(', ') }},
        {{ feedback_measures() }}
    from call_feedback
    group by slice_value, {{ grain | join(', ') }}
),

joined as (
    select
        performance.*,
        coalesce(feedback.feedback_count, 0) as feedback_count,
        coalesce(feedback.thumbs_count, 0) as thumbs_count,
        coalesce(feedback.thumbs_up_count, 0) as thumbs_up_count,
        coalesce(feedback.rating_count, 0) as rating_count,
        coalesce(feedback.rating_sum, 0) as rating_sum,
        feedback.last_feedback_ingested_at
    from performance
    left join feedback
        on performance.slice_value = feedback.slice_value
        {%- for column in grain %}
        and performance.{{ column }} = feedback.{{ column }}
        {%- endfor %}
),

final as (
    select
        slice_value as {{ slice_column }},
        {{ grain | join(', ') }},
        calls::bigint as calls,
        success_calls::bigint as success_calls,
        error_calls::bigint as error_calls,
        {{ ratio('error_calls', 'calls') }} as error_rate,
        {%- for measure in ['latency', 'time_to_first_token'] %}
        {%- for q in performance_percentiles() %}
        {{ list_item(measure ~ '_percentiles', loop.index) }} as {{ measure }}_p{{ q }}_ms,
        {%- endfor %}
        {%- endfor %}
        {{ ratio('timed_output_tokens * 1000', 'timed_latency_ms') }} as output_tokens_per_second,
        input_tokens::bigint as input_tokens,
        output_tokens::bigint as output_tokens,
        priced_calls::bigint as priced_calls,
        cost_usd,
        {{ divide_money('cost_usd * 1000', 'priced_tokens') }} as cost_per_1k_tokens_usd,
        {{ divide_money('cost_usd', 'priced_success_calls') }} as cost_per_successful_call_usd,
        feedback_count::bigint as feedback_count,
        thumbs_count::bigint as thumbs_count,
        thumbs_up_count::bigint as thumbs_up_count,
        rating_count::bigint as rating_count,
        {{ feedback_rates() }},
        last_ingested_at,
        last_feedback_ingested_at
    from joined
)

select * from final
{%- endmacro %}

{# ---------------------------------------------------------------------------------------------------------
   Data quality (models/marts/data_quality/)
--------------------------------------------------------------------------------------------------------- #}

{#- How late a call arrived: whole UTC days from the day it happened to the day it was ingested, bucketed. -#}
{% macro lateness_bucket(lateness_days) -%}
    case
        when {{ lateness_days }} < 0 then 'before_occurrence'
        when {{ lateness_days }} = 0 then 'same_day'
        when {{ lateness_days }} = 1 then '1_day'
        when {{ lateness_days }} <= 3 then '2_to_3_days'
        when {{ lateness_days }} <= 7 then '4_to_7_days'
        when {{ lateness_days }} <= 30 then '8_to_30_days'
        else 'over_30_days'
    end
{%- endmacro %}
