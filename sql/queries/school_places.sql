-- The names of one school's places in both schemes: old province, district and commune,
-- and 2025 province and commune.
select units.scheme, units.level, units.code, units.name
from core_school__registry as registry
inner join core_geo__units as units
    on (
        units.scheme = 'legacy'
        and units.code in (
            registry.province_code_legacy,
            registry.district_code_legacy,
            registry.commune_code_legacy
        )
    )
    or (
        units.scheme = '2025'
        and units.code in (registry.province_code_2025, registry.commune_code_2025)
    )
where registry.school_code = $school_code
order by units.scheme = '2025', length(units.code)
