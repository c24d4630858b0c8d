-- Every return of some schools ($school_codes), with the file each came from (or, for a pulled
-- run, its source and resource); each school's in period order.
select returns.*, runs.file_name, runs.received_date, runs.source_name, runs.pull_resource
from core_school__period_returns as returns
left join ingest_runs as runs on returns.run_id = runs.run_id
where returns.school_code in (select unnest($school_codes))
order by returns.school_code, returns.school_year, returns.term desc
