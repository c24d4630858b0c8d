-- Ingest runs (all, or $run_id) for a unit-scoped account, newest first, with `is_theirs`:
-- the account uploaded the run ($account), or the run loaded, replaced or rejected a row of
-- one of the account's schools ($schools, from queries/scope_schools), or first loaded one
-- that a later run replaced. Never the path a file was read from or the host that ran it.
with schools as (
    select unnest(cast($schools as varchar[])) as school_code
),

touched as (
    select returns.run_id
    from core_school__period_returns as returns
    semi join schools using (school_code)
    union
    select rejects.run_id
    from ingest_rejects as rejects
    semi join schools using (school_code)
    union
    select replacements.run_id
    from ingest_replacements as replacements
    semi join schools using (school_code)
    union  -- the run that first loaded a row replaced since
    select replacements.previous_run_id
    from ingest_replacements as replacements
    semi join schools using (school_code)
)

select
    runs.* exclude (source_file, host),
    runs.run_by = $account or runs.run_id in (select touched.run_id from touched) as is_theirs
from ingest_runs as runs
where $run_id is null or runs.run_id = $run_id
order by runs.run_id desc
