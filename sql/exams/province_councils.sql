-- out_exam__province_councils of the years rebuilt: an old province's figures are its own
-- council's; a 2025 province's list every council of its predecessors, loaded or not.
insert into out_exam__province_councils by name
with loaded as (
    select year, council_code, count(*)::integer as candidates
    from core_exam__candidates
    where $all or year in (select unnest($years))
    group by all
),

provinces_2025 as (
    select distinct loaded.year, provinces.province_code_2025
    from loaded
    inner join exam_provinces as provinces on loaded.council_code = provinces.council_code
)

select
    loaded.year,
    'legacy' as scheme,
    provinces.province_code_legacy as unit_code,
    loaded.council_code,
    provinces.province_code_legacy as predecessor_code,
    true as present,
    loaded.candidates
from loaded
inner join exam_provinces as provinces on loaded.council_code = provinces.council_code

union all

select
    provinces_2025.year,
    '2025',
    provinces_2025.province_code_2025,
    provinces.council_code,
    provinces.province_code_legacy,
    loaded.council_code is not null,
    coalesce(loaded.candidates, 0)
from provinces_2025
inner join exam_provinces as provinces
    on provinces_2025.province_code_2025 = provinces.province_code_2025
left join loaded
    on provinces_2025.year = loaded.year and provinces.council_code = loaded.council_code
