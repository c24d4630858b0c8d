-- Provinces of the other scheme that share communes with each unit of both schemes, largest
-- overlap first: where a view goes when the user switches between the 2008-2025 and the 2025
-- units. One row per unit (from_scheme, from_code) and province of the other scheme; the API
-- keeps it for the build.
with crosswalk as (  -- an old district without communes counts as one commune
    select legacy_province_code, legacy_district_code, legacy_commune_code,
        province_code_2025, commune_code_2025
    from core_geo__commune_crosswalk
    union all
    select legacy_province_code, legacy_district_code, null, province_code_2025,
        commune_code_2025
    from core_geo__district_crosswalk
),

pairs as (  -- a unit and a province of the other scheme, once per crosswalk row linking them
    select
        'legacy' as from_scheme,
        unnest([legacy_province_code, legacy_district_code, legacy_commune_code]) as from_code,
        '2025' as scheme,
        province_code_2025 as code
    from crosswalk
    union all
    select
        '2025' as from_scheme,
        unnest([province_code_2025, commune_code_2025]) as from_code,
        'legacy' as scheme,
        legacy_province_code as code
    from crosswalk
),

shared as (
    select from_scheme, from_code, scheme, code, count(*) as shared
    from pairs
    where from_code is not null
    group by all
)

select s.from_scheme, s.from_code, s.scheme, 'province' as level, s.code, u.name, s.shared
from shared as s
inner join core_geo__units as u on u.scheme = s.scheme and u.level = 'province' and u.code = s.code
order by s.from_scheme, s.from_code, s.shared desc, s.code
