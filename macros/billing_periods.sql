{#- The last closed billing period as a SQL expression (a date, first day of the month; NULL when nothing is
    closed), read as data from int_billing_closed_period (finance closes months with `synapscale billing close`).
    The var closed_billing_period ('YYYY-MM-01') overrides it: unit tests and what-if builds set it. The ref is
    taken either way, so the model always depends on the closures. -#}
{% macro closed_billing_period() -%}
    {%- set closures = ref('int_billing_closed_period') -%}
    {%- set period = var('closed_billing_period', none) -%}
    {%- if period is none or (period | string | trim) in ('', 'none', 'None', 'null') -%}
        (select max(last_closed_period) from {{ closures }})
    {%- else -%}
        date_trunc('month', '{{ period | string | trim }}'::date)::date
    {%- endif -%}
{%- endmacro %}

{#- Whether the billing period `period` (a date expression, first day of a month) is closed: on or before the
    last closed period; false when nothing is closed. -#}
{% macro is_billing_period_closed(period) -%}
    coalesce({{ period }} <= {{ closed_billing_period() }}, false)
{%- endmacro %}

{#- The first open billing period, the month after the last closed one (NULL when nothing is closed). -#}
{% macro first_open_billing_period() -%}
    ({{ closed_billing_period() }} + interval 1 month)::date
{%- endmacro %}

{#- billing_events' watermark: the newest ingested_at of the calls it has billed. An incremental run compares
    only the calls loaded after it with what is billed, since usage_logs only ever appends calls (an incremental
    run never re-prices one). Before any real timestamp, so every priced call is compared, when any of:
      * not an incremental run of billing_events (its first build, or rebuild_billing);
      * a --full-refresh invocation: usage_logs is rebuilt in it and may re-price calls already billed;
      * the calls billed so far no longer add up, call count and cost, to usage_logs' calls up to the watermark
        (usage_logs was rebuilt in another invocation, e.g. `dbt run -s usage_logs --full-refresh`).
    So a repriced call always gets its adjustment (docs/core.md#billing). -#}
{% macro billing_watermark() -%}
    {%- if execute and is_incremental() and not flags.FULL_REFRESH -%}
        {%- set sql -%}
            with billed as (
                -- a call's first billing row, and its repricings' rows ('repricing of <event_id> ...')
                select
                    max(ingested_at) as watermark,
                    count(*) filter (where reason not like 'repricing of %') as calls,
                    sum(amount_usd) as usd
                from {{ this }}
                where event_id is not null
            ),
            priced as (
                select count(*) as calls, sum(cost_usd) as usd
                from {{ ref('usage_logs') }}
                where cost_usd is not null and ingested_at <= (select billed.watermark from billed)
            )
            select {{ as_text('billed.watermark') }}
            from billed, priced
            where billed.calls = priced.calls and billed.usd = priced.usd
        {%- endset -%}
        {{- return(queried_timestamp(sql)) -}}
    {%- endif -%}
    {{- return(timestamp_min()) -}}
{%- endmacro %}
