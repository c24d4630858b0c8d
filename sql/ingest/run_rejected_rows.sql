-- The rows of a run that were rejected (their position in the pull).
select distinct source_row as _row
from ingest_rejects
where run_id = $run_id
