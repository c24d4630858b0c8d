-- One province's rank among the provinces loaded, per subject ('*': all papers).
select subject, mean, rank, ranked
from out_exam__ranks
where year = $year and scheme = $scheme and unit_code = $unit
order by subject
