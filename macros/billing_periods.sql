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
