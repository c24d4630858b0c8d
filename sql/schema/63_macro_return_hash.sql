-- A return's content hash (docs/approval.md): md5 of its contract fields, i.e. every column
-- of core_school__period_returns but run_id, sheet, source_row and content_hash, passed as
-- the row of a subquery that leaves those out. Computed on the stored row (its stored types),
-- so the same content always gives the same hash whatever the file or pull it came from.
create or replace macro return_hash(r) as md5(cast(to_json(r) as varchar));

-- snapshots made before issue 17 gain the column, filled for the rows they hold
alter table core_school__period_returns add column if not exists content_hash varchar;
