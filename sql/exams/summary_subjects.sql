-- A unit's statistics per subject for a year (ioc.exams.summary), with its province rank
-- when the unit is a province; $subjects: the subjects asked for.
select
    stats.subject,
    stats.candidates,
    stats.mean,
    stats.median,
    stats.sd,
    stats.ge5,
    stats.ge8,
    stats.eq10,
    stats.failing,
    stats.off_grid,
    ranks.rank,
    ranks.ranked
from out_exam__subject_stats as stats
left join out_exam__ranks as ranks
    on stats.level = 'province'
    and stats.year = ranks.year
    and stats.scheme = ranks.scheme
    and stats.unit_code = ranks.unit_code
    and stats.subject = ranks.subject
where
    stats.year = $year
    and stats.scheme = $scheme
    and stats.level = $level
    and stats.unit_code = $unit
    and stats.subject in (select unnest($subjects))
