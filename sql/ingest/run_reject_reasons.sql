-- How many rows of a run each rule rejected.
select rule, count(distinct source_row) as rows
from ingest_rejects
where run_id = $run_id
group by rule
order by rule
