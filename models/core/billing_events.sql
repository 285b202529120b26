{{
    config(
        materialized='incremental',
        unique_key='billing_event_id',
        incremental_strategy=new_keys_incremental_strategy(),
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
-- It reads core.usage_logs, not the pricing model: billing bills the cost usage_logs recorded, which an
-- incremental run never re-prices, and the rule above depends on what this table already holds. An incremental
-- run compares only the calls loaded after the newest call billed (billing_watermark, macros/billing_periods.sql);
-- a --full-refresh, or calls billed that no longer add up to usage_logs, compares every priced call.
{% set late_rule_applies = 'true' if is_incremental() else 'false' %}
{%- set watermark = billing_watermark() %}

with

usage as (
    select * from {{ ref('usage_logs') }}
),

credits as (
    select * from {{ ref('int_billing_credits') }}
),

already_billed as (
    {% if is_incremental() %}
        select
            billing_event_id,
            event_id,
            amount_usd,
            ingested_at
        from {{ this }}
    {% else %}
        select
            null::{{ type_varchar() }} as billing_event_id,
            null::{{ type_varchar() }} as event_id,
            null::decimal(38, 18) as amount_usd,
            null::{{ type_timestamptz() }} as ingested_at
        where false
    {% endif %}
),

billed_per_call as (
    select
        event_id,
        sum(amount_usd) as billed_usd,
        count(*) as billing_rows
    from already_billed
    where event_id is not null and ingested_at > {{ watermark }}
    group by event_id
),

-- A usage charge per priced call, for its cost; its service period is the UTC month of the call.
charges as (
    select
        event_id,
        message_id,
        user_id,
        workspace_id,
        llm_id,
        model,
        cost_usd,
        date_trunc('month', usage_date)::date as service_period,
        occurred_at,
        ingested_at
    from usage
    where cost_usd is not null and ingested_at > {{ watermark }}
),

-- The charges this run bills: never billed before, or billed at another cost since (usage_logs rebuilt with
-- corrected prices). Late when the late rule applies and the service period is closed.
unbilled_charges as (
    select
        charges.*,
        billed_per_call.event_id is null as is_first_billing,
        billed_per_call.billed_usd,
        billed_per_call.billing_rows,
        {{ late_rule_applies }} and {{ is_billing_period_closed('charges.service_period') }} as is_late
    from charges
    left join billed_per_call on charges.event_id = billed_per_call.event_id
    where billed_per_call.event_id is null or charges.cost_usd <> billed_per_call.billed_usd
),

-- First billing: 'usage' in its month, or, late, an 'adjustment' in the first open period. A repricing: an
-- 'adjustment' for the difference, the call's n-th billing row, billed by the same period rule.
call_events as (
    select
        case
            when not is_first_billing then 'adjustment:' || event_id || ':' || (billing_rows + 1)::{{ type_varchar() }}
            when is_late then 'adjustment:' || event_id
            else 'usage:' || event_id
        end as billing_event_id,
        case when is_first_billing and not is_late then 'usage' else 'adjustment' end as event_type,
        case when is_late then {{ first_open_billing_period() }} else service_period end as billing_period,
        service_period,
        workspace_id,
        user_id,
        message_id,
        event_id,
        llm_id,
        model,
        case when is_first_billing then cost_usd else cost_usd - billed_usd end as amount_usd,
        occurred_at,
        ingested_at,
        case
            when not is_first_billing
                then 'repricing of ' || event_id || ' (cost now ' || {{ decimal_text('cost_usd', 18) }} || ')'
            when is_late then 'late usage for closed period ' || {{ format_datetime('service_period', '%Y-%m') }}
            else 'usage'
        end as reason
    from unbilled_charges
),

new_credits as (
    select
        credits.*,
        {{ late_rule_applies }} and {{ is_billing_period_closed('credits.credit_period') }} as is_late
    from credits
    left join already_billed on 'credit:' || credits.credit_id = already_billed.billing_event_id
    where already_billed.billing_event_id is null
),

credit_events as (
    select
        'credit:' || credit_id as billing_event_id,
        'credit' as event_type,
        case when is_late then {{ first_open_billing_period() }} else credit_period end as billing_period,
        credit_period as service_period,
        workspace_id,
        null as user_id,
        null as message_id,
        null as event_id,
        null as llm_id,
        null as model,
        amount_usd,
        granted_at as occurred_at,
        granted_at as ingested_at,
        coalesce(reason, 'credit') as reason
    from new_credits
),

unioned as (
    select * from call_events
    union all
    select * from credit_events
),

final as (
    select
        billing_event_id::{{ type_varchar() }} as billing_event_id,
        event_type::{{ type_varchar() }} as event_type,
        billing_period::date as billing_period,
        service_period::date as service_period,
        workspace_id::{{ type_varchar() }} as workspace_id,
        user_id::{{ type_varchar() }} as user_id,
        message_id::{{ type_varchar() }} as message_id,
        event_id::{{ type_varchar() }} as event_id,
        llm_id::{{ type_varchar() }} as llm_id,
        model::{{ type_varchar() }} as model,
        amount_usd::decimal(38, 18) as amount_usd,
        occurred_at::{{ type_timestamptz() }} as occurred_at,
        ingested_at::{{ type_timestamptz() }} as ingested_at,
        reason::{{ type_varchar() }} as reason
    from unioned
)

select * from final
