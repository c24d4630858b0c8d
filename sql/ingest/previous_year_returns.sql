-- Returns of the staged schools for the same term of the previous school year.
select previous.*
from core_school__period_returns as previous
semi join stage_returns as new
    on previous.school_code = new.school_code
    and previous.term = new.term
    and cast(left(previous.school_year, 4) as integer)
    = cast(left(new.school_year, 4) as integer) - 1
