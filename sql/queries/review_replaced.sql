-- The version a return replaced: the values of the return its run overwrote, if any.
select previous_run_id, previous_values
from ingest_replacements
where school_code = $school_code
    and school_year = $school_year
    and term = $term
    and run_id = $run_id
order by previous_run_id desc nulls last
limit 1
