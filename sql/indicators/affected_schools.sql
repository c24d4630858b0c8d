-- Every school sharing a province (in either scheme) with the given schools: the set whose
-- indicators must be recomputed after those schools' returns changed. Old provinces nest in
-- new ones, so taking whole 2025 provinces covers every unit the change touches.
with changed as (
    select * from core_school__registry where list_contains($school_codes, school_code)
),

provinces as (
    select distinct province_code_2025 as code_2025, province_code_legacy as code_legacy
    from changed
)

select registry.school_code
from core_school__registry as registry
where registry.province_code_2025 in (select code_2025 from provinces)
    or registry.province_code_legacy in (select code_legacy from provinces)
