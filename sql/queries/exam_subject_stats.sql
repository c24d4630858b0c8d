-- Per subject statistics of units of one level ($units: their codes; NULL: every unit of the
-- level), with the unit's name; $subject NULL: every subject.
select
    stats.unit_code,
    units.name as unit_name,
    stats.subject,
    stats.candidates,
    stats.mean,
    stats.median,
    stats.sd,
    stats.ge5,
    stats.ge8,
    stats.eq10,
    stats.failing,
    stats.off_grid
from out_exam__subject_stats as stats
left join core_geo__units as units
    on units.scheme = stats.scheme and units.code = stats.unit_code
where stats.year = $year
    and stats.scheme = $scheme
    and stats.level = $level
    and ($units is null or list_contains(cast($units as varchar[]), stats.unit_code))
    and ($subject is null or stats.subject = $subject)
order by stats.unit_code, stats.subject
