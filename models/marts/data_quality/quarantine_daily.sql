-- Records ingest rejected, per UTC day of quarantine x record type x reason code x landing file. A plain table
-- over staging (there is no core table of rejected records: they are not entities of the product, and this
-- mart is their one consumer); the records themselves are in raw.quarantine.
with

quarantine as (
    select * from {{ ref('stg_raw__quarantine') }}
),

daily as (
    select
        {{ utc_date('quarantined_at') }} as quarantine_date,
        coalesce(record_type, 'unknown') as record_type,
        reason_code,
        source_file,
        count(*) as records,
        min(source_line) as first_line,
        max(source_line) as last_line,
        min(reason_message) as example_reason_message,
        max(quarantined_at) as last_quarantined_at
    from quarantine
    group by {{ utc_date('quarantined_at') }}, coalesce(record_type, 'unknown'), reason_code, source_file
),

final as (
    select
        quarantine_date,
        record_type,
        reason_code,
        source_file,
        records::bigint as records,
        first_line::bigint as first_line,
        last_line::bigint as last_line,
        example_reason_message,
        last_quarantined_at
    from daily
)

select * from final
