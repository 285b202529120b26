{#- Rules the staging models (models/staging/raw/) share. -#}

{#- A raw record's lineage, as every staged model passes it on: the load, the line in the loaded file (and the
    file, where the raw table keeps it) and when it was ingested (UTC). -#}
{% macro raw_lineage_columns(source_file=true) -%}
    load_id,
        {% if source_file %}source_file,
        {% endif %}source_line,
        ingested_at::{{ type_timestamptz() }} as ingested_at
{%- endmacro %}
