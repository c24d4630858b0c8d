-- Rows the source said it deleted (the staged `tombstone_rows`): recorded, never applied.
insert into ingest_tombstones by name
select source, resource, school_code, school_year, term, version, seen_at, run_id
from tombstone_rows
