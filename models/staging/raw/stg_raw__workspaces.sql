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
        {{ raw_lineage_columns(source_file=false) }}
    from source
)

select * from renamed
