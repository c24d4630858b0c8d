-- The exam councils making up a province's figures (a 2025 province: each predecessor's).
select council_code, predecessor_code, present, candidates
from out_exam__province_councils
where year = $year and scheme = $scheme and unit_code = $unit
order by council_code
