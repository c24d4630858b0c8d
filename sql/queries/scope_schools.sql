-- The registry's schools placed, in either unit scheme, in one of the units a scoped account
-- may see. $schemes and $codes are those units (parallel lists, from queries/scope_units).
-- Each place of a school is a row of its own, so that the units are found by an equi-join
-- (a whole country's units against 53,000 schools is a hash join, not a nested loop).
-- Every registry school when $school_codes is null, else those of the list only (the schools
-- a pull's rows name: a delta of 500 schools reads 500 places, not the country's).
with allowed as (
    select
        unnest(cast($schemes as varchar[])) as scheme,
        unnest(cast($codes as varchar[])) as code
),

registry as (
    select * from core_school__registry
    where $school_codes is null or school_code in (select unnest($school_codes::varchar[]))
),

placed as (
    select school_code, 'legacy' as scheme, province_code_legacy as code
    from registry
    union all
    select school_code, 'legacy', district_code_legacy from registry
    union all
    select school_code, 'legacy', commune_code_legacy from registry
    union all
    select school_code, '2025', province_code_2025 from registry
    union all
    select school_code, '2025', commune_code_2025 from registry
)

select distinct placed.school_code
from placed
inner join allowed
    on placed.scheme = allowed.scheme
    and placed.code = allowed.code
order by placed.school_code
