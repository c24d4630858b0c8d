-- Periods with returns, newest first, with the scheme their codes use.
select
    school_year,
    term,
    any_value(scheme) as scheme,
    count(*) as returns,
    period_order(school_year, term) as period_order
from core_school__period_returns
group by school_year, term
order by period_order desc
