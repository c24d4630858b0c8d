-- Every return of a period in one province (the period's scheme): the rows a return's effect
-- on its units' totals is summed from.
select *
from core_school__period_returns
where school_year = $school_year and term = $term and province_code = $province_code
