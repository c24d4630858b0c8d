-- One row per expected (school, period) and basis ($bases: 'official', 'all'): the return's
-- fields (null when none came, and on the official basis when it is not approved), the
-- school's places, and its level and ownership (the return's, else the registry's). Reads the
-- relations `expected`, `returns` (with is_approved) and `registry` the caller names; one
-- school year ($school_year), or every one (null).
select
    expected.school_code,
    expected.school_year,
    expected.term,
    bases.basis,
    expected.has_return,
    expected.is_on_time,
    returns.* exclude (school_code, school_year, term, level, ownership, is_approved),
    registry.province_code_legacy,
    registry.district_code_legacy,
    registry.commune_code_legacy,
    registry.province_code_2025,
    registry.commune_code_2025,
    coalesce(returns.level, registry.level) as level,
    coalesce(returns.ownership, registry.ownership) as ownership
from expected
cross join (select unnest($bases) as basis) as bases
left join returns
    on returns.school_code = expected.school_code
    and returns.school_year = expected.school_year
    and returns.term = expected.term
    and (bases.basis = 'all' or returns.is_approved)
    and ($school_year is null or returns.school_year = $school_year)
left join registry on registry.school_code = expected.school_code
where $school_year is null or expected.school_year = $school_year
