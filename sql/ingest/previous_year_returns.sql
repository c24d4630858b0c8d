-- Returns of the staged schools for the same term of the previous school year.
select previous.*
from core_school__period_returns as previous
semi join stage_returns as new
    on previous.school_code = new.school_code
    and previous.term = new.term
    and period_first_year(previous.school_year)
    = period_first_year(new.school_year) - 1
