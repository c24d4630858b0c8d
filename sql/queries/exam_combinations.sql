-- The admission combinations of one unit: candidates who sat the three papers, their totals'
-- mean, median and spread, totals >= 15 and >= 24.
select
    combination,
    candidates,
    mean,
    median,
    sd,
    ge15,
    ge24
from out_exam__combination_stats
where year = $year and scheme = $scheme and level = $level and unit_code = $unit
order by combination
