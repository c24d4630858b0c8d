-- A province's rank by the mean of all its papers among the provinces loaded (subject '*').
select mean, rank, ranked
from out_exam__ranks
where year = $year and scheme = $scheme and unit_code = $unit and subject = '*'
