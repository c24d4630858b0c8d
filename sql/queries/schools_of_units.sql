-- Schools in the provinces of the given units (parallel lists $schemes and $unit_codes).
with given as (
    select unnest($schemes) as scheme, unnest($unit_codes) as unit_code
),

wanted as (
    select distinct units.scheme, units.province_code
    from given
    inner join core_geo__units as units
        on given.scheme = units.scheme and given.unit_code = units.code
)

select registry.school_code
from core_school__registry as registry
inner join wanted
    on (wanted.scheme = 'legacy' and registry.province_code_legacy = wanted.province_code)
    or (wanted.scheme = '2025' and registry.province_code_2025 = wanted.province_code)
