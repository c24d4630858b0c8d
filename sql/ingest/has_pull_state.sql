-- Whether the snapshot has pull state yet (a snapshot of an older version has none).
select count(*) > 0 from duckdb_tables() where table_name = 'ingest_pull_state'
