with

source as (
    select * from {{ source('raw', 'feedback_events') }}
),

renamed as (
    select
        feedback_id,
        message_id,
        user_id,
        lower(trim(kind)) as kind,
        trim(value) as feedback_value,
        comment,
        coalesce(lower(trim(source)), 'user') as feedback_source,
        created_at::{{ type_timestamptz() }} as created_at,
        {{ raw_lineage_columns() }}
    from source
)

select * from renamed
