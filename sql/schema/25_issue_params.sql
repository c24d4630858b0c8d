-- Stores made before rejects, warnings and findings kept their messages' parameters (issue 15).
alter table ingest_rejects add column if not exists params varchar;
alter table ingest_warnings add column if not exists params varchar;
alter table if exists out_quality__findings add column if not exists params varchar;
