{#- Rows for which the boolean SQL expression is not true (hub package dbt_utils.expression_is_true, local). -#}
{% test expression_is_true(model, expression, column_name=none, where_clause=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{%- if where_clause %}
    and ({{ where_clause }})
{%- endif %}

{% endtest %}
