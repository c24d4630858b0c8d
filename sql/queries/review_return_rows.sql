-- One school's return of a period and of the same term a year before (the review's
-- comparison), every contract field.
select *
from core_school__period_returns
where school_code = $school_code
    and term = $term
    and school_year in ($school_year, $previous_year)
