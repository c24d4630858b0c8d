-- Ingest runs (all, or $run_id), newest first, as the API shows them: never the path a file
-- was read from or the host that ran it (server details, kept in the table for its admins).
select * exclude (source_file, host) from ingest_runs
where $run_id is null or run_id = $run_id
order by run_id desc
