-- Rejected rows, newest run first (all runs when $run_id is null).
select
    rejects.run_id,
    runs.file_name,
    rejects.sheet,
    rejects.source_row,
    rejects.school_code,
    rejects.column_name,
    rejects.rule,
    rejects.value,
    rejects.message
from ingest_rejects as rejects
inner join ingest_runs as runs on rejects.run_id = runs.run_id
where $run_id is null or rejects.run_id = $run_id
order by rejects.run_id desc, rejects.sheet, rejects.source_row, rejects.column_name
