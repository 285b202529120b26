{{ config(materialized='incremental', **day_slice_config('x_ChargeDate')) }}

-- The billing ledger (core.billing_events) as a FinOps FOCUS 1.2 cost and usage table (docs/marts/focus.md):
-- one row per billing period x charge period (UTC day) x workspace x model x provider x token bucket x price
-- row x tag set x charge category/class. Column names are FOCUS's (PascalCase); x_ columns are extensions.
--   * a usage charge of a call priced from list prices: a Usage row per non-empty token bucket, at the rate the
--     cost engine applied (ListUnitPrice per token, PricingUnit 'Tokens');
--   * a call whose provider or gateway reported the cost: the same bucket rows at list price, plus an
--     Adjustment row with the difference (reported - list), so BilledCost sums to what was billed; without a
--     list price (unknown model) one Usage row for all its tokens;
--   * a billing adjustment (late usage of a closed period, a repricing difference): a Usage row with
--     ChargeClass 'Correction' in the period it is billed, ChargePeriod = the day of the call;
--   * a credit: a Credit row (ChargeClass 'Correction' when it is for an earlier period).
-- BilledCost = EffectiveCost = ContractedCost (no negotiated discounts or commitments), DECIMAL(38,18)
-- unrounded: a month's BilledCost sums to its invoices (marts.invoices rounds to cents once).
-- Incremental by charge day (x_ChargeDate, the UTC day of the calls; a credit's month): the days of the calls
-- whose billing events were ingested since the last run are rebuilt, in every billing period they were billed in.
{% set billing_account_id = var('focus_billing_account_id', 'synapscale') %}
{% set billing_account_name = var('focus_billing_account_name', 'SynapScale Analytics') %}
{% set invoice_issuer_name = var('focus_invoice_issuer_name', 'SynapScale Analytics') %}
{% set buckets = [
    ('uncached_input', 'uncached_input_tokens', 'uncached_input_cost_usd', 'applied_input_usd_per_1m', 'uncached input'),
    ('cache_read', 'cache_read_tokens', 'cache_read_cost_usd', 'applied_cache_read_usd_per_1m', 'cache-read input'),
    ('cache_write', 'cache_write_tokens', 'cache_write_cost_usd', 'applied_cache_write_usd_per_1m', 'cache-write input'),
    ('cache_write_1h', 'cache_write_1h_tokens', 'cache_write_1h_cost_usd', 'applied_cache_write_1h_usd_per_1m', 'cache-write input (1-hour)'),
    ('visible_output', 'visible_output_tokens', 'visible_output_cost_usd', 'applied_output_usd_per_1m', 'visible output'),
    ('reasoning', 'reasoning_tokens', 'reasoning_cost_usd', 'applied_reasoning_usd_per_1m', 'reasoning output'),
] %}
{#- The measures of a bucket line: (suffix of the bucket's column in usage_groups, the line's column). -#}
{% set bucket_line_measures = [
    ('tokens', 'tokens'), ('rate_usd_per_1m', 'rate_usd_per_1m'), ('cost_usd', 'billed_usd'), ('charges', 'charges')
] %}

with

-- Charge days of the billing events ingested since the last run: the days of their calls, a credit's month.
touched_slices as (
    {% if is_incremental() %}
        select distinct usage.usage_date as slice_date
        from (
            select event_id from {{ ref('billing_events') }}
            where ingested_at > {{ slice_watermark('x_LastIngestedAt') }} and event_id is not null
        ) as new_charges
        inner join {{ ref('usage_logs') }} as usage on new_charges.event_id = usage.event_id
        union
        select distinct service_period as slice_date from {{ ref('billing_events') }}
        where ingested_at > {{ slice_watermark('x_LastIngestedAt') }} and event_type = 'credit'
    {% else %}
        {{ no_slices() }}
    {% endif %}
),

calls as (
    select * from {{ ref('usage_logs') }}
    where {{ in_touched_slices('usage_date') }}
),

-- The two `event_id in calls` filters only narrow the inputs of an incremental run (call_charges joins to calls
-- anyway); a full build reads every call, where they were two semi-joins of 10M ids each (at 10M calls).
billing as (
    select * from {{ ref('billing_events') }}
    {%- if is_incremental() %}
        where
            event_id in (select calls.event_id from calls)
            or (event_type = 'credit' and {{ in_touched_slices('service_period') }})
    {%- endif %}
),

workspaces as (
    select * from {{ ref('workspaces') }}
),

llms as (
    select * from {{ ref('llms') }}
),

call_tag_sets as (
    select
        event_id,
        {{ json_true_object_agg('tag') }} as tags_json
    from {{ ref('tags') }}
    where
        entity_type = 'usage_log'
        {%- if is_incremental() %} and event_id in (select calls.event_id from calls){% endif %}
    group by event_id
),

-- Every billing event of a call, with the call's day, model, price row, buckets and tag set.
call_charges as (
    select
        billing.event_type,
        billing.billing_period,
        billing.amount_usd,
        billing.reason,
        billing.ingested_at as billing_ingested_at,  -- calls.* has its own ingested_at
        calls.*,
        call_tag_sets.tags_json
    from billing
    inner join calls on billing.event_id = calls.event_id
    left join call_tag_sets on billing.event_id = call_tag_sets.event_id
),

-- Usage charges summed per FOCUS grain before they are split into buckets (a price row and tier fix the rates).
usage_groups as (
    select
        billing_period,
        usage_date,
        workspace_id,
        model,
        llm_id,
        provider,
        price_id,
        is_long_context_tier,
        tags_json,
        computed_cost_usd is null as has_no_list_price,
        count(*) as charges,
        count(*) filter (where amount_usd <> computed_cost_usd) as reported_charges,
        {% for bucket, tokens, cost, rate, label in buckets %}
            sum({{ tokens }}) as {{ bucket }}_tokens,
            sum({{ cost }}) as {{ bucket }}_cost_usd,
            min({{ rate }}) as {{ bucket }}_rate_usd_per_1m,
            count(*) filter (where {{ tokens }} > 0) as {{ bucket }}_charges,
        {% endfor %}
        sum(input_tokens + output_tokens) as all_tokens,
        sum(amount_usd) as billed_usd,
        sum(computed_cost_usd) as list_usd,
        max(billing_ingested_at) as last_ingested_at
    from call_charges
    where event_type = 'usage'
    group by
        billing_period, usage_date, workspace_id, model, llm_id, provider, price_id, is_long_context_tier, tags_json,
        computed_cost_usd is null
),

token_buckets as (
    {% for bucket, tokens, cost, rate, label in buckets %}
        select
            '{{ bucket }}' as token_bucket,
            '{{ label }}' as token_bucket_label
        {{ 'union all' if not loop.last }}
    {% endfor %}
),

-- A Usage line per non-empty bucket at list price (a group of calls without any token keeps its uncached_input
-- line, at 0: every billing event is on a row).
bucket_lines as (
    select
        usage_groups.billing_period,
        usage_groups.usage_date as charge_date,
        usage_groups.workspace_id,
        usage_groups.model,
        usage_groups.llm_id,
        usage_groups.provider,
        token_buckets.token_bucket,
        token_buckets.token_bucket_label,
        usage_groups.price_id,
        usage_groups.is_long_context_tier,
        usage_groups.tags_json,
        'Usage' as charge_category,
        null as charge_class,
        'usage' as line_kind,
        -- each measure of the line is its bucket's own column of the group (usage_groups.<bucket>_<measure>)
        {% for measure, line_column in bucket_line_measures %}
            case token_buckets.token_bucket
                {% for bucket, tokens, cost, rate, label in buckets %}
                    when '{{ bucket }}' then usage_groups.{{ bucket }}_{{ measure }}
                {% endfor %}
            end as {{ line_column }},
        {% endfor %}
        usage_groups.all_tokens,
        usage_groups.last_ingested_at
    from usage_groups
    cross join token_buckets
    where not usage_groups.has_no_list_price
),

non_empty_bucket_lines as (
    select
        billing_period,
        charge_date,
        workspace_id,
        model,
        llm_id,
        provider,
        token_bucket,
        token_bucket_label,
        price_id,
        is_long_context_tier,
        tags_json,
        charge_category,
        charge_class,
        line_kind,
        tokens,
        rate_usd_per_1m,
        billed_usd,
        billed_usd as list_usd,
        charges,
        last_ingested_at
    from bucket_lines
    where tokens > 0 or (token_bucket = 'uncached_input' and all_tokens = 0)
),

-- Provider-reported cost minus list cost (an Adjustment), and reported costs without a list price (Usage).
reported_lines as (
    select
        billing_period,
        usage_date as charge_date,
        workspace_id,
        model,
        llm_id,
        provider,
        case when has_no_list_price then 'all_tokens' else 'provider_reported_difference' end as token_bucket,
        case when has_no_list_price then 'all' else 'reported minus list' end as token_bucket_label,
        price_id,
        is_long_context_tier,
        tags_json,
        case when has_no_list_price then 'Usage' else 'Adjustment' end as charge_category,
        null as charge_class,
        case when has_no_list_price then 'usage_without_list_price' else 'provider_difference' end as line_kind,
        case when has_no_list_price then all_tokens end as tokens,
        null::decimal(20, 12) as rate_usd_per_1m,
        billed_usd - coalesce(list_usd, 0) as billed_usd,
        case when has_no_list_price then billed_usd else 0 end as list_usd,
        case when has_no_list_price then charges else reported_charges end as charges,
        last_ingested_at
    from usage_groups
    where has_no_list_price or reported_charges > 0
),

correction_lines as (
    select
        billing_period,
        usage_date as charge_date,
        workspace_id,
        model,
        llm_id,
        provider,
        'all_tokens' as token_bucket,
        'all' as token_bucket_label,
        null as price_id,
        null::boolean as is_long_context_tier,
        tags_json,
        'Usage' as charge_category,
        'Correction' as charge_class,
        case when reason like 'late usage%' then 'late_usage' else 'repricing' end as line_kind,
        null::bigint as tokens,
        null::decimal(20, 12) as rate_usd_per_1m,
        sum(amount_usd) as billed_usd,
        sum(amount_usd) as list_usd,
        count(*) as charges,
        max(billing_ingested_at) as last_ingested_at
    from call_charges
    where event_type = 'adjustment'
    group by
        billing_period, usage_date, workspace_id, model, llm_id, provider, tags_json,
        case when reason like 'late usage%' then 'late_usage' else 'repricing' end
),

credit_lines as (
    select
        billing_period,
        service_period as charge_date,
        workspace_id,
        'none' as model,
        null as llm_id,
        '{{ invoice_issuer_name }}' as provider,
        'credit' as token_bucket,
        'credit' as token_bucket_label,
        null as price_id,
        null::boolean as is_long_context_tier,
        null as tags_json,
        'Credit' as charge_category,
        case when billing_period > service_period then 'Correction' end as charge_class,
        'credit' as line_kind,
        null::bigint as tokens,
        null::decimal(20, 12) as rate_usd_per_1m,
        sum(amount_usd) as billed_usd,
        sum(amount_usd) as list_usd,
        count(*) as charges,
        max(ingested_at) as last_ingested_at
    from billing
    where event_type = 'credit'
    group by billing_period, service_period, workspace_id
),

grouped as (
    select * from non_empty_bucket_lines
    union all
    select * from reported_lines
    union all
    select * from correction_lines
    union all
    select * from credit_lines
),

described as (
    select
        grouped.*,
        workspaces.workspace_name,
        coalesce(llms.provider, grouped.provider) as publisher,
        grouped.line_kind = 'credit' as is_credit,
        grouped.line_kind = 'usage' as is_list_priced,
        case
            when grouped.line_kind = 'credit' then {{ add_months('grouped.charge_date', 1) }}
            else {{ add_days('grouped.charge_date', 1) }}
        end as charge_end_date,
        (grouped.rate_usd_per_1m * 0.000001::decimal(7, 6))::decimal(38, 18) as unit_price_usd,
        case when grouped.is_long_context_tier then 'long_context' else 'standard' end as tier_code,
        'list price ' || grouped.price_id
        || case when grouped.is_long_context_tier then ' (long-context tier)' else '' end as price_label,
        case grouped.line_kind
            when 'usage' then concat(grouped.model, ' ', grouped.token_bucket_label, ' tokens at ', price_label)
            when 'provider_difference' then grouped.model || ': provider-reported cost minus list price'
            when 'usage_without_list_price' then grouped.model || ': provider-reported cost, no list price'
            when 'late_usage' then grouped.model || ': late usage of a closed billing period'
            when 'repricing' then grouped.model || ': repricing difference of a billed call'
            else 'Credit'
        end as charge_description
    from grouped
    left join workspaces on grouped.workspace_id = workspaces.workspace_id
    left join llms on grouped.llm_id = llms.llm_id
),

-- FOCUS names are PascalCase; DuckDB and Spark keep an alias's case as written.
-- noqa: disable=CP02
final as (
    select
        billed_usd::decimal(38, 18) as BilledCost,
        '{{ billing_account_id }}' as BillingAccountId,
        '{{ billing_account_name }}' as BillingAccountName,
        'USD' as BillingCurrency,
        {{ date_start_instant(add_months('billing_period', 1)) }} as BillingPeriodEnd,
        {{ date_start_instant('billing_period') }} as BillingPeriodStart,
        charge_category as ChargeCategory,
        charge_class as ChargeClass,
        charge_description as ChargeDescription,
        case when is_credit then 'One-Time' else 'Usage-Based' end as ChargeFrequency,
        {{ date_start_instant('charge_end_date') }} as ChargePeriodEnd,
        {{ date_start_instant('charge_date') }} as ChargePeriodStart,
        case when charge_category = 'Usage' and charge_class is null then tokens end::decimal(38, 0)
            as ConsumedQuantity,
        case when charge_category = 'Usage' and charge_class is null then 'Tokens' end as ConsumedUnit,
        billed_usd::decimal(38, 18) as ContractedCost,
        unit_price_usd as ContractedUnitPrice,
        billed_usd::decimal(38, 18) as EffectiveCost,
        {{ surrogate_key(['workspace_id', as_text('billing_period')]) }} as InvoiceId,
        '{{ invoice_issuer_name }}' as InvoiceIssuerName,
        list_usd::decimal(38, 18) as ListCost,
        unit_price_usd as ListUnitPrice,
        case when charge_category = 'Usage' and charge_class is null then 'Standard' end as PricingCategory,
        case when charge_category = 'Usage' and charge_class is null then tokens end::decimal(38, 0)
            as PricingQuantity,
        case when charge_category = 'Usage' and charge_class is null then 'Tokens' end as PricingUnit,
        provider as ProviderName,
        publisher as PublisherName,
        'AI and Machine Learning' as ServiceCategory,
        case when is_credit then 'Credits' else provider || ' LLM API' end as ServiceName,
        'Generative AI' as ServiceSubcategory,
        case when is_list_priced or line_kind = 'usage_without_list_price' then model || ':' || token_bucket end
            as SkuId,
        case
            when is_list_priced then concat(model, ':', token_bucket, ':', tier_code)
            when line_kind = 'usage_without_list_price' then model || ':' || token_bucket || ':reported'
        end as SkuPriceId,
        workspace_id as SubAccountId,
        workspace_name as SubAccountName,
        'Workspace' as SubAccountType,
        tags_json::{{ type_json() }} as Tags,
        billing_period as x_BillingPeriod,
        charge_date as x_ChargeDate,
        model as x_Model,
        token_bucket as x_TokenBucket,
        price_id as x_PriceId,
        is_long_context_tier as x_IsLongContextTier,
        line_kind as x_LineKind,
        charges::bigint as x_Charges,
        last_ingested_at as x_LastIngestedAt
    from described
)
-- noqa: enable=CP02

select * from final
