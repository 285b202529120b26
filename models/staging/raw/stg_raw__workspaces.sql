with

source as (
    select * from {{ source('raw', 'workspaces') }}
),

renamed as (
    select
        workspace_id,
        trim(name) as workspace_name,
        lower(trim(plan)) as plan,
        monthly_budget_usd::decimal(18, 2) as monthly_budget_usd,
        trim(timezone) as timezone,
        created_at::{{ type_timestamptz() }} as created_at,
        load_id,
        source_line,
        ingested_at::{{ type_timestamptz() }} as ingested_at
    from source
)

select * from renamed
