{{
    config(
        materialized='incremental',
        unique_key='billing_event_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        full_refresh=(none if var('rebuild_billing', false) else false)
    )
}}

-- Append-only ledger of billable charges. A charge's billing period is decided on the run where it first
-- appears and never revisited, so a closed period's invoice never changes:
--   * a usage charge is billed in the UTC month of its call (event_type 'usage'), unless
--   * on an incremental run with var closed_billing_period set, its month is closed: then it is a late charge
--     billed as event_type 'adjustment' in the first open period (closed_billing_period + 1 month);
--   * a billed call whose cost later changes gets an 'adjustment' for the difference (same period rule),
--     so billing always reconciles with usage_logs without rewriting a line.
-- --full-refresh is ignored for this model (full_refresh=false) unless --vars '{rebuild_billing: true}':
-- a rebuild (or the very first build) bills every charge in its own month, i.e. re-opens closed periods.
{% set late_rule_applies = 'true' if is_incremental() else 'false' %}

with

charges as (
    select * from {{ ref('int_billing_charges') }}
),

credits as (
    select * from {{ ref('int_billing_credits') }}
),

already_billed as (
    {% if is_incremental() %}
        select
            billing_event_id,
            event_id,
            amount_usd
        from {{ this }}
    {% else %}
        select
            null::varchar as billing_event_id,
            null::varchar as event_id,
            null::decimal(38, 18) as amount_usd
        where false
    {% endif %}
),

billed_per_call as (
    select
        event_id,
        sum(amount_usd) as billed_usd,
        count(*) as billing_rows
    from already_billed
    where event_id is not null
    group by event_id
),

new_charges as (
    select charges.*
    from charges
    left join billed_per_call on charges.event_id = billed_per_call.event_id
    where billed_per_call.event_id is null
),

-- A billed call whose cost changed since (usage_logs rebuilt with corrected prices): the difference is
-- billed as an adjustment, in the call's month if still open, else in the first open period.
repriced_charges as (
    select
        charges.*,
        charges.amount_usd - billed_per_call.billed_usd as delta_usd,
        billed_per_call.billing_rows + 1 as billing_row_number
    from charges
    inner join billed_per_call on charges.event_id = billed_per_call.event_id
    where charges.amount_usd <> billed_per_call.billed_usd
),

new_credits as (
    select credits.*
    from credits
    left join already_billed on 'credit:' || credits.credit_id = already_billed.billing_event_id
    where already_billed.billing_event_id is null
),

usage_charges as (
    select
        case
            when {{ late_rule_applies }} and is_service_period_closed then 'adjustment' else 'usage'
        end as event_type,
        event_id,
        message_id,
        user_id,
        workspace_id,
        llm_id,
        model,
        amount_usd,
        service_period,
        case
            when {{ late_rule_applies }} and is_service_period_closed then first_open_period else service_period
        end as billing_period,
        occurred_at,
        ingested_at,
        case
            when {{ late_rule_applies }} and is_service_period_closed
                then 'late usage for closed period ' || strftime(service_period, '%Y-%m')
            else 'usage'
        end as reason
    from new_charges
),

repricing_adjustments as (
    select
        'adjustment' as event_type,
        'adjustment:' || event_id || ':' || billing_row_number::varchar as billing_event_id,
        event_id,
        message_id,
        user_id,
        workspace_id,
        llm_id,
        model,
        delta_usd as amount_usd,
        service_period,
        case
            when {{ late_rule_applies }} and is_service_period_closed then first_open_period else service_period
        end as billing_period,
        occurred_at,
        ingested_at,
        'repricing of ' || event_id || ' (cost now ' || amount_usd::varchar || ')' as reason
    from repriced_charges
),

credit_charges as (
    select
        'credit' as event_type,
        credit_id,
        workspace_id,
        amount_usd,
        credit_period as service_period,
        case
            when {{ late_rule_applies }} and is_credit_period_closed then first_open_period else credit_period
        end as billing_period,
        granted_at,
        coalesce(reason, 'credit') as reason
    from new_credits
),

unioned as (
    select
        event_type || ':' || event_id as billing_event_id,
        event_type,
        billing_period,
        service_period,
        workspace_id,
        user_id,
        message_id,
        event_id,
        llm_id,
        model,
        amount_usd,
        occurred_at,
        ingested_at,
        reason
    from usage_charges
    union all
    select
        billing_event_id,
        event_type,
        billing_period,
        service_period,
        workspace_id,
        user_id,
        message_id,
        event_id,
        llm_id,
        model,
        amount_usd,
        occurred_at,
        ingested_at,
        reason
    from repricing_adjustments
    union all
    select
        'credit:' || credit_id as billing_event_id,
        event_type,
        billing_period,
        service_period,
        workspace_id,
        null as user_id,
        null as message_id,
        null as event_id,
        null as llm_id,
        null as model,
        amount_usd,
        granted_at as occurred_at,
        granted_at as ingested_at,
        reason
    from credit_charges
),

final as (
    select
        billing_event_id::varchar as billing_event_id,
        event_type::varchar as event_type,
        billing_period::date as billing_period,
        service_period::date as service_period,
        workspace_id::varchar as workspace_id,
        user_id::varchar as user_id,
        message_id::varchar as message_id,
        event_id::varchar as event_id,
        llm_id::varchar as llm_id,
        model::varchar as model,
        amount_usd::decimal(38, 18) as amount_usd,
        occurred_at::timestamptz as occurred_at,
        ingested_at::timestamptz as ingested_at,
        reason::varchar as reason
    from unioned
)

select * from final
