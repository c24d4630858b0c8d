select * from ingest_runs
where $run_id is null or run_id = $run_id
order by run_id desc
