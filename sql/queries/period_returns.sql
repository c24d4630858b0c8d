-- The returns of one period from every school in the registry (all units at once; cut to a
-- unit by its place columns after).
select returns.*
from core_school__period_returns as returns
semi join core_school__registry as registry on returns.school_code = registry.school_code
where returns.school_year = $school_year and returns.term = $term
