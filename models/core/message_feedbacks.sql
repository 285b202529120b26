-- The latest version of each feedback, as int_feedback_latest decides it; the contract in _core__models.yml
-- fixes the columns and their types, so a new upstream column has to be documented here first.
with

feedback as (
    select * from {{ ref('int_feedback_latest') }}
),

final as (
    select * from feedback
)

select * from final
