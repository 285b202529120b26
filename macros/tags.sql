{#-
    The tag rule, written once: int_tags_normalised applies it to every call and feedback, core.tags on an
    incremental run to the new calls and the feedback of the touched messages (macros/incremental.sql).
    `usage`: calls (event_id, workspace_id, occurred_at, tags); `feedback`: latest feedback versions
    (int_feedback_latest's columns); relations or parenthesised queries.
-#}
{% macro normalised_tags(usage, feedback) %}
with

usage as (
    select * from {{ usage }} as usage_calls
),

feedback as (
    select * from {{ feedback }} as feedback_versions
),

usage_tags_unnested as (
    select
        event_id,
        workspace_id,
        occurred_at,
        {{ unnest_list('tags') }} as tag_raw
    from usage
    where tags is not null
),

category_labels as (
    select
        message_id,
        category as tag_raw,
        created_at
    from feedback
    where category is not null
),

usage_tags_normalised as (
    select
        'usage_log' as entity_type,
        event_id as entity_id,
        event_id,
        null::{{ type_varchar() }} as message_id,
        workspace_id,
        'usage_event' as tag_source,
        lower({{ regex_replace('tag_raw', '^\\s+|\\s+$', '', all=true) }}) as tag,
        occurred_at as tagged_at
    from usage_tags_unnested
),

category_tags_normalised as (
    select
        'message' as entity_type,
        message_id as entity_id,
        null::{{ type_varchar() }} as event_id,
        message_id,
        null::{{ type_varchar() }} as workspace_id,
        'feedback_category' as tag_source,
        lower({{ regex_replace('tag_raw', '^\\s+|\\s+$', '', all=true) }}) as tag,
        created_at as tagged_at
    from category_labels
),

unioned as (
    select * from usage_tags_normalised
    union all
    select * from category_tags_normalised
),

deduplicated as (
    select
        entity_type,
        entity_id,
        tag,
        any_value(event_id) as event_id,
        any_value(message_id) as message_id,
        any_value(workspace_id) as workspace_id,
        any_value(tag_source) as tag_source,
        min(tagged_at) as tagged_at
    from unioned
    where tag is not null and tag <> ''
    group by entity_type, entity_id, tag
),

final as (
    select
        {{ surrogate_key(['entity_type', 'entity_id', 'tag']) }} as tag_id,
        tag,
        entity_type,
        entity_id,
        event_id,
        message_id,
        workspace_id,
        tag_source,
        tagged_at
    from deduplicated
)

select * from final
{% endmacro %}
