-- The provinces (2025 scheme, and legacy) of the given schools: after their returns changed,
-- every unit of these provinces is recomputed. Old provinces nest in new ones.
with changed as (
    select province_code_2025, province_code_legacy
    from core_school__registry
    where school_code in (select unnest($school_codes))
),

new_provinces as (
    select distinct province_code_2025 as code from changed where province_code_2025 is not null
)

select '2025' as scheme, code from new_provinces
union
select distinct 'legacy', province_code_legacy from core_school__registry
where province_code_2025 in (select code from new_provinces)
    or province_code_legacy in (select province_code_legacy from changed)
