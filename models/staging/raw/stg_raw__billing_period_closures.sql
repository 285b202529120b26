with

source as (
    select * from {{ source('raw', 'billing_period_closures') }}
),

renamed as (
    select
        date_trunc('month', billing_period)::date as billing_period,
        closed_at::{{ type_timestamptz() }} as closed_at
    from source
)

select * from renamed
