{#- The last closed billing period as a SQL date literal (first day of the month), or null when nothing is closed.
    Set with --vars '{closed_billing_period: "2025-02-01"}': that month and every earlier one are closed. -#}
{% macro closed_billing_period() -%}
    {%- set period = var('closed_billing_period', none) -%}
    {%- if period is none or (period | string | trim) in ('', 'none', 'None', 'null') -%}
        null::date
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
