-- Indicator values of one unit, or of each of its child units ($children), for one period.
with units as (
    select * from core_geo__units where scheme = $scheme
),

wanted as (
    select code, name, level from units
    where ($children and parent_code = $code and level = $child_level)
        or (not $children and code = $code and level = $level)
)

select
    wanted.name as unit_name,
    values_.*
from out_indicator__values as values_
inner join wanted
    on values_.unit_code = wanted.code and values_.level = wanted.level
where values_.scheme = $scheme
    and values_.school_year = $school_year
    and values_.term = $term
order by wanted.code, values_.indicator_id
