-- Who may see an alert about each unit ($schemes[i], $codes[i], zipped): the unit, its
-- ancestors in its scheme, and every unit of either scheme, at any level, that contains ALL
-- the unit's schools (a legacy district's account sees the 2025 communes wholly inside its
-- old district, and nothing bigger). Unknown codes give no rows.
with subjects as (
    select distinct units.scheme, units.code, units.level, units.province_code, units.district_code
    from (select unnest($schemes) as scheme, unnest($codes) as code) as asked
    inner join core_geo__units as units on asked.scheme = units.scheme and asked.code = units.code
),

levels as (
    select distinct scheme, level from core_geo__units
),

places as (  -- every school's unit at each (scheme, level)
    select registry.school_code, levels.scheme, levels.level,
        school_unit(registry, levels.scheme, levels.level) as code
    from core_school__registry as registry
    cross join levels
),

members as (
    select subjects.scheme, subjects.code, places.school_code
    from subjects
    inner join places
        on subjects.scheme = places.scheme
        and subjects.level = places.level
        and subjects.code = places.code
),

sizes as (
    select scheme, code, count(*) as schools from members group by all
),

wholly as (
    select members.scheme, members.code, places.scheme as unit_scheme, places.code as unit_code
    from members
    inner join places on members.school_code = places.school_code
    inner join sizes on members.scheme = sizes.scheme and members.code = sizes.code
    where places.code is not null
    group by members.scheme, members.code, places.scheme, places.level, places.code, sizes.schools
    having count(*) = sizes.schools
)

select scheme, code, scheme as unit_scheme, code as unit_code from subjects
union
select scheme, code, scheme, province_code from subjects
union
select scheme, code, scheme, district_code from subjects where district_code is not null
union
select * from wholly
