-- Registry rows of the schools placed in a unit (every school when $code is null), with the
-- names of their old district and of their commune in the scheme asked for.
select
    registry.*,
    district.name as district_name_legacy,
    commune.name as commune_name
from core_school__registry as registry
left join core_geo__units as district
    on district.scheme = 'legacy'
    and district.level = 'district'
    and district.code = registry.district_code_legacy
left join core_geo__units as commune
    on commune.scheme = $scheme
    and commune.level = 'commune'
    and commune.code = school_unit(registry, $scheme, 'commune')
where $code is null or school_unit(registry, $scheme, $level) = $code
order by registry.school_code
