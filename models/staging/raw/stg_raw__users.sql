with

source as (
    select * from {{ source('raw', 'users') }}
),

renamed as (
    select
        user_id,
        workspace_id,
        trim(display_name) as display_name,
        created_at::{{ type_timestamptz() }} as created_at,
        load_id,
        source_line,
        ingested_at::{{ type_timestamptz() }} as ingested_at
    from source
)

select * from renamed
