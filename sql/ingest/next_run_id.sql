select coalesce(max(run_id), 0) + 1 as run_id from ingest_runs
