-- A unit's score spectrum for a year, per subject and combination (ioc.exams.summary).
select subject, bin_from::double as bin_from, papers
from out_exam__spectrum
where year = $year and scheme = $scheme and level = $level and unit_code = $unit
order by subject, bin_from
