-- Expected (school, period) rows of the schools in scope (all schools when $all): those of the
-- provinces given and the schools named in $schools.
select school_code, school_year, term, has_return, is_on_time
from core_school__expected
where $all or school_code in (select unnest($schools)) or school_code in (
    select school_code from core_school__registry
    where province_code_2025 in (select unnest($provinces_2025))
        or province_code_legacy in (select unnest($provinces_legacy))
)
