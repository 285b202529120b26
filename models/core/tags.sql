with

tags as (
    select * from {{ ref('int_tags_normalised') }}
),

final as (
    select
        tag_id,
        tag,
        entity_type,
        entity_id,
        event_id,
        message_id,
        workspace_id,
        tag_source,
        tagged_at
    from tags
)

select * from final
