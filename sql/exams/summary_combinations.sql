-- A unit's statistics per admission combination for a year (ioc.exams.summary).
select combination, candidates, mean, median, sd, ge15, ge24
from out_exam__combination_stats
where
    year = $year
    and scheme = $scheme
    and level = $level
    and unit_code = $unit
    and combination in (select unnest($combinations))
