-- Per unit of one level and period: the returns of its schools that do not count in official
-- figures (not approved, or changed since approval), none when approval is off ($off). For
-- the units $unit_codes (every unit of the level when null), the school years $school_years
-- (all when null) and term (both when null).
select
    school_unit(registry, $scheme, $level) as unit_code,
    returns.school_year,
    returns.term,
    count(*) filter (where not $off and approvals.school_code is null) as pending
from core_school__period_returns as returns
inner join core_school__registry as registry on returns.school_code = registry.school_code
left join core_return__approvals as approvals
    on approvals.school_code = returns.school_code
    and approvals.school_year = returns.school_year
    and approvals.term = returns.term
    and approvals.content_hash = returns.content_hash
where (
        $unit_codes is null
        and school_unit(registry, $scheme, $level) is not null
        or list_contains($unit_codes, school_unit(registry, $scheme, $level))
    )
    and ($school_years is null or list_contains($school_years, returns.school_year))
    and ($term is null or returns.term = $term)
group by all
