-- The approval of each return of one period (docs/approval.md), from the schools placed in
-- a unit (every school when $code is null): a return is approved when the store approved its
-- content as it is now (same content hash), on the day (in $timezone) and by whom.
select
    returns.school_code,
    cast(timezone($timezone, approvals.approved_at) as date) as approved_on,
    approvals.approved_by
from core_school__period_returns as returns
inner join core_school__registry as registry on returns.school_code = registry.school_code
inner join core_return__approvals as approvals
    on approvals.school_code = returns.school_code
    and approvals.school_year = returns.school_year
    and approvals.term = returns.term
    and approvals.content_hash = returns.content_hash
where ($code is null or school_unit(registry, $scheme, $level) = $code)
    and returns.school_year = $school_year
    and returns.term = $term
