-- Remember what a source gave for each school and period it sent (the staged `pulled_rows`):
-- a later pull finds the same row unchanged.
insert or replace into ingest_pulled by name
select source, resource, school_code, school_year, term, version, row_hash, run_id, pulled_at
from pulled_rows
