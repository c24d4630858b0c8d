-- The registry's schools placed, in either unit scheme, in one of the units a scoped account
-- may see. $schemes and $codes are those units (parallel lists, from queries/scope_units).
with allowed as (
    select
        unnest(cast($schemes as varchar[])) as scheme,
        unnest(cast($codes as varchar[])) as code
)

select distinct registry.school_code
from core_school__registry as registry
inner join allowed
    on (
        allowed.scheme = 'legacy'
        and allowed.code in (
            registry.province_code_legacy,
            registry.district_code_legacy,
            registry.commune_code_legacy
        )
    )
    or (
        allowed.scheme = '2025'
        and allowed.code in (registry.province_code_2025, registry.commune_code_2025)
    )
order by registry.school_code
