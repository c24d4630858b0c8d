-- The returns of one period from the schools placed in one unit (either scheme, any level).
-- Schools are placed through the registry, so an old district still has its schools after
-- 1 July 2025 and a 2025 commune has its schools before it.
select returns.*
from core_school__period_returns as returns
inner join core_school__registry as registry on returns.school_code = registry.school_code
where school_unit(registry, $scheme, $level) = $code
    and returns.school_year = $school_year
    and returns.term = $term
