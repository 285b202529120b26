{#- A surrogate key: md5 of the parts (SQL expressions; cast non-strings to varchar) joined by '|'. A NULL part
    makes the key NULL, so the key's not_null test fails instead of two grains silently sharing a key. -#}
{% macro surrogate_key(parts) -%}
    md5({{ parts | join(" || '|' || ") }})
{%- endmacro %}
