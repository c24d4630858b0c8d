delete from core_school__period_returns as old
using stage_returns as new
where old.school_code = new.school_code
    and old.school_year = new.school_year
    and old.term = new.term
