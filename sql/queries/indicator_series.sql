-- One indicator for one unit across every period (school years in order, both terms).
select *
from out_indicator__values
where scheme = $scheme and level = $level and unit_code = $code and indicator_id = $indicator
    and ($term is null or term = $term)
order by school_year, term desc
