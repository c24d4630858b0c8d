-- Provinces of the other scheme that share communes with a unit, largest overlap first:
-- where a view goes when the user switches between the 2008-2025 and the 2025 units.
with pairs as (
    select
        case when $scheme = 'legacy' then '2025' else 'legacy' end as scheme,
        case when $scheme = 'legacy' then province_code_2025 else legacy_province_code end
            as code,
        count(*) as shared
    from core_geo__commune_crosswalk
    where
        ($scheme = 'legacy' and (
            legacy_province_code = $code
            or legacy_district_code = $code
            or legacy_commune_code = $code
        ))
        or ($scheme = '2025' and (province_code_2025 = $code or commune_code_2025 = $code))
    group by all
)
select p.scheme, 'province' as level, p.code, u.name, p.shared
from pairs as p
join core_geo__units as u on u.scheme = p.scheme and u.level = 'province' and u.code = p.code
order by p.shared desc, p.code
