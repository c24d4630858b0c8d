-- Returns of the schools in scope (all schools when $all).
select returns.* exclude (run_id, sheet, source_row)
from core_school__period_returns as returns
where $all or returns.school_code in (
    select school_code from core_school__registry
    where province_code_2025 in (select unnest($provinces_2025))
        or province_code_legacy in (select unnest($provinces_legacy))
)
