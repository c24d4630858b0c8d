-- The exam councils of a province's figures for a year: present (loaded) or, in a 2025
-- province, a predecessor's council not loaded.
select council_code, predecessor_code, present, candidates
from out_exam__province_councils
where year = $year and scheme = $scheme and unit_code = $province
order by council_code
