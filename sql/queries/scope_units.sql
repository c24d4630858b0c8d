-- Every unit inside the given scope units (parallel lists $schemes, $codes): the unit
-- itself and its descendants in its scheme, plus the communes of the other scheme whose
-- every counterpart in the crosswalk lies inside the scope, and for an old district without
-- communes, its 2025 đặc khu (and the other way round).
with scope as (
    select unnest($schemes) as scheme, unnest($codes) as code
),

units as (
    select * from core_geo__units
),

inside as (
    select units.scheme, units.level, units.code
    from units
    inner join scope
        on units.scheme = scope.scheme
        and (
            units.code = scope.code
            or units.parent_code = scope.code
            or units.province_code = scope.code
            or units.district_code = scope.code
        )
),

new_communes as (
    select crosswalk.commune_code_2025 as code
    from core_geo__commune_crosswalk as crosswalk
    left join inside
        on inside.scheme = 'legacy'
        and inside.level = 'commune'
        and crosswalk.legacy_commune_code = inside.code
    group by crosswalk.commune_code_2025
    having bool_and(inside.code is not null)
),

old_communes as (
    select crosswalk.legacy_commune_code as code
    from core_geo__commune_crosswalk as crosswalk
    left join inside
        on inside.scheme = '2025'
        and inside.level = 'commune'
        and crosswalk.commune_code_2025 = inside.code
    group by crosswalk.legacy_commune_code
    having bool_and(inside.code is not null)
),

special_zones as (
    select '2025' as scheme, 'commune' as level, zones.commune_code_2025 as code
    from core_geo__district_crosswalk as zones
    inner join inside
        on inside.scheme = 'legacy'
        and inside.level = 'district'
        and zones.legacy_district_code = inside.code
    union
    select 'legacy', 'district', zones.legacy_district_code
    from core_geo__district_crosswalk as zones
    inner join inside
        on inside.scheme = '2025'
        and inside.level = 'commune'
        and zones.commune_code_2025 = inside.code
)

select scheme, level, code from inside
union
select '2025', 'commune', code from new_communes
union
select 'legacy', 'commune', code from old_communes
union
select scheme, level, code from special_zones
