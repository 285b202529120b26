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
        {{ raw_lineage_columns(source_file=false) }}
    from source
)

select * from renamed
