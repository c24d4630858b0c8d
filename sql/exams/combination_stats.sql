-- out_exam__combination_stats of the years rebuilt: the combinations' rows of exam_unit_stats
-- (candidates who sat the combination's three papers; statistics of their totals).
insert into out_exam__combination_stats by name
select
    year, scheme, level, unit_code, subject as combination, candidates, mean, median, sd, ge15,
    ge24
from exam_unit_stats
where subject in (select code from exam_combinations)
