with

source as (
    select * from {{ source('raw', 'quarantine') }}
),

renamed as (
    select
        load_id,
        source_file,
        source_line,
        record_type,
        raw_record,
        reason_code,
        reason_message,
        quarantined_at::{{ type_timestamptz() }} as quarantined_at
    from source
)

select * from renamed
