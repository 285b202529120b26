-- Normalised tags, as int_tags_normalised builds them; the contract in _core__models.yml fixes the columns and
-- their types, so a new upstream column has to be documented here first.
with

tags as (
    select * from {{ ref('int_tags_normalised') }}
),

final as (
    select * from tags
)

select * from final
