-- Returns of the schools in scope (all schools when $all: else those of the provinces given and
-- the schools named in $schools), each with whether it counts on the
-- official basis (docs/approval.md): approved, and its content the content approved
-- (core_return__approvals); $approved false when no return is asked about (approval off:
-- every return counts on both bases).
select
    returns.* exclude (run_id, sheet, source_row, content_hash),
    $approved and exists (
        select 1 from core_return__approvals as approvals
        where approvals.school_code = returns.school_code
            and approvals.school_year = returns.school_year
            and approvals.term = returns.term
            and approvals.content_hash = returns.content_hash
    ) as is_approved
from core_school__period_returns as returns
where ($all or returns.school_code in (select unnest($schools)) or returns.school_code in (
    select school_code from core_school__registry
    where province_code_2025 in (select unnest($provinces_2025))
        or province_code_legacy in (select unnest($provinces_legacy))
))
