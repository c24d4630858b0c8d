-- Provinces of the other scheme that share communes with a unit, largest overlap first:
-- where a view goes when the user switches between the 2008-2025 and the 2025 units.
with crosswalk as (  -- an old district without communes counts as one commune
    select legacy_province_code, legacy_district_code, legacy_commune_code,
        province_code_2025, commune_code_2025
    from core_geo__commune_crosswalk
    union all
    select legacy_province_code, legacy_district_code, null, province_code_2025,
        commune_code_2025
    from core_geo__district_crosswalk
),

pairs as (
    select
        case when $scheme = 'legacy' then '2025' else 'legacy' end as scheme,
        case when $scheme = 'legacy' then province_code_2025 else legacy_province_code end
            as code,
        count(*) as shared
    from crosswalk
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
