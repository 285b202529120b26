-- Tags as one row per normalised tag x tagged entity: usage-event tags on the call (entity 'usage_log') and
-- feedback category labels on the message (entity 'message'). Normalised = whitespace-trimmed and lower-cased;
-- empty tags are dropped and a tag repeated on the same entity is kept once.
with

usage as (
    select * from {{ ref('int_usage_events_deduplicated') }}
),

feedback as (
    select * from {{ ref('int_feedback_latest') }}
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
