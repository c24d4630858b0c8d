-- Registry rows of the schools in scope (all schools when $all): those of the provinces given
-- and the schools named in $schools.
select *
from core_school__registry
where $all
    or province_code_2025 in (select unnest($provinces_2025))
    or province_code_legacy in (select unnest($provinces_legacy))
    or school_code in (select unnest($schools))
