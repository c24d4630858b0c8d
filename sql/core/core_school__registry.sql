-- The school registry: one row per school with its place in BOTH unit schemes.
-- A school reports in the scheme of its period; the other scheme's place is derived through
-- the commune crosswalk. An old commune split across several new communes (or a new commune
-- formed from several old ones) is resolved by the school's coordinates (nearest commune
-- centroid among the candidates) when it has them; otherwise the place stays NULL at the
-- level that is ambiguous and the school is flagged, never guessed. A school in an old
-- district without communes (the island districts) has no legacy commune: its place there is
-- the district, which became one 2025 commune (đặc khu), so it is placed, not ambiguous.
-- A school of the pulled registry (raw_registry__schools) that never sent a return is here
-- too, with the registry's name, level, ownership and place (the other scheme's derived the
-- same way), no period and 0 returns: coverage and the chase list count it as missing.
-- Every school when $all, else only those in $schools (each school's row is its own: the
-- runner replaces the rows of the schools whose returns or registry records changed).
with reported as (
    select
        *,
        period_order(school_year, term) as period_order,
        true as is_return
    from core_school__period_returns
    where $all or school_code in (select unnest($schools))
),

listed_only as (
    select
        school_code,
        school_name,
        level,
        ownership,
        scheme,
        province_code,
        district_code,
        commune_code,
        false as is_return
    from raw_registry__schools
    anti join reported on raw_registry__schools.school_code = reported.school_code
    where $all or raw_registry__schools.school_code in (select unnest($schools))
),

returns as (
    select * from reported
    union all by name
    select * from listed_only
),

crosswalk as (
    select
        legacy_province_code,
        legacy_district_code,
        legacy_commune_code,
        province_code_2025,
        commune_code_2025,
        legacy_commune_code as legacy_place
    from core_geo__commune_crosswalk
    union all
    select
        legacy_province_code,
        legacy_district_code,
        null,
        province_code_2025,
        commune_code_2025,
        legacy_district_code
    from core_geo__district_crosswalk
),

communes as (
    select scheme, code, latitude, longitude from core_geo__units where level = 'commune'
),

latest as (
    select * from returns
    qualify row_number() over (partition by school_code order by period_order desc) = 1
),

history as (
    select
        school_code,
        min(period_order) as first_order,
        max(period_order) as last_order,
        count(*) filter (where is_return) as returns_count,
        arg_max(latitude, period_order) filter (
            where latitude is not null and longitude is not null
        ) as latitude,
        arg_max(longitude, period_order) filter (
            where latitude is not null and longitude is not null
        ) as longitude
    from returns
    group by school_code
),

legacy_reported as (
    select
        school_code,
        province_code,
        district_code,
        commune_code,
        coalesce(commune_code, district_code) as place,
        is_return
    from returns
    where scheme = 'legacy'
    qualify row_number() over (partition by school_code order by period_order desc) = 1
),

new_reported as (
    select school_code, province_code, commune_code, is_return
    from returns
    where scheme = '2025'
    qualify row_number() over (partition by school_code order by period_order desc) = 1
),

new_candidates as (
    select
        reported.school_code,
        crosswalk.province_code_2025,
        crosswalk.commune_code_2025,
        (communes.latitude - history.latitude) ** 2
        + ((communes.longitude - history.longitude) * cos(radians(history.latitude))) ** 2
        as distance
    from legacy_reported as reported
    inner join crosswalk on reported.place = crosswalk.legacy_place
    inner join history on reported.school_code = history.school_code
    left join communes
        on communes.scheme = '2025' and crosswalk.commune_code_2025 = communes.code
),

new_derived as (
    select
        school_code,
        case when count(distinct province_code_2025) = 1 then min(province_code_2025) end
            as province_code_2025,
        case
            when count(*) = 1 then min(commune_code_2025)
            when count(distance) = count(*) then arg_min(commune_code_2025, distance)
        end as commune_code_2025,
        case
            when count(*) = 1 then 'crosswalk'
            when count(distance) = count(*) then 'coordinates'
            else 'ambiguous'
        end as method
    from new_candidates
    group by school_code
),

old_candidates as (
    select
        reported.school_code,
        crosswalk.legacy_province_code,
        crosswalk.legacy_district_code,
        crosswalk.legacy_commune_code,
        (communes.latitude - history.latitude) ** 2
        + ((communes.longitude - history.longitude) * cos(radians(history.latitude))) ** 2
        as distance
    from new_reported as reported
    inner join crosswalk
        on reported.commune_code = crosswalk.commune_code_2025
        and reported.province_code = crosswalk.province_code_2025
    inner join history on reported.school_code = history.school_code
    left join communes
        on communes.scheme = 'legacy' and crosswalk.legacy_commune_code = communes.code
),

old_derived as (
    select
        school_code,
        case
            when count(distinct legacy_province_code) = 1 then min(legacy_province_code)
            when count(distance) = count(*) then arg_min(legacy_province_code, distance)
        end as province_code,
        case
            when count(distinct legacy_district_code) = 1 then min(legacy_district_code)
            when count(distance) = count(*) then arg_min(legacy_district_code, distance)
        end as district_code,
        case
            when count(*) = 1 then min(legacy_commune_code)
            when count(distance) = count(*) then arg_min(legacy_commune_code, distance)
        end as commune_code,
        case
            when count(*) = 1 then 'crosswalk'
            when count(distance) = count(*) then 'coordinates'
            else 'ambiguous'
        end as method
    from old_candidates
    group by school_code
),

final as (
    select
        latest.school_code,
        latest.school_name,
        latest.level,
        latest.ownership,
        latest.school_type,
        latest.area,
        coalesce(legacy_reported.province_code, old_derived.province_code)
            as province_code_legacy,
        coalesce(legacy_reported.district_code, old_derived.district_code)
            as district_code_legacy,
        coalesce(legacy_reported.commune_code, old_derived.commune_code)
            as commune_code_legacy,
        coalesce(new_reported.province_code, new_derived.province_code_2025)
            as province_code_2025,
        coalesce(new_reported.commune_code, new_derived.commune_code_2025)
            as commune_code_2025,
        case
            when not legacy_reported.is_return then 'registry'
            when legacy_reported.school_code is not null then 'reported'
            else coalesce(old_derived.method, 'unmapped')
        end as place_legacy_method,
        case
            when not new_reported.is_return then 'registry'
            when new_reported.school_code is not null then 'reported'
            else coalesce(new_derived.method, 'unmapped')
        end as place_2025_method,
        history.latitude,
        history.longitude,
        history.returns_count,
        case when history.first_order is not null then format(
            '{}-{}/{}', history.first_order // 2, history.first_order // 2 + 1,
            case when history.first_order % 2 = 1 then 'CN' else 'DN' end
        ) end as first_period,
        case when history.last_order is not null then format(
            '{}-{}/{}', history.last_order // 2, history.last_order // 2 + 1,
            case when history.last_order % 2 = 1 then 'CN' else 'DN' end
        ) end as last_period
    from latest
    inner join history on latest.school_code = history.school_code
    left join legacy_reported on latest.school_code = legacy_reported.school_code
    left join new_reported on latest.school_code = new_reported.school_code
    left join new_derived on latest.school_code = new_derived.school_code
    left join old_derived on latest.school_code = old_derived.school_code
)

select
    final.*,
    (final.commune_code_legacy is null and communeless.legacy_district_code is null)
    or final.commune_code_2025 is null as is_place_ambiguous
from final
left join core_geo__district_crosswalk as communeless
    on final.district_code_legacy = communeless.legacy_district_code
