-- The returns of one period from the schools placed in a unit (either scheme, any level),
-- or from every school when $code is null (the whole country).
select returns.*
from core_school__period_returns as returns
inner join core_school__registry as registry on returns.school_code = registry.school_code
where ($code is null or school_unit(registry, $scheme, $level) = $code)
    and returns.school_year = $school_year
    and returns.term = $term
