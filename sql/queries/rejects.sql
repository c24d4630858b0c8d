-- Rejected rows, newest run first (all runs when $run_id is null).
-- $schools null: every row. For a unit-scoped account, $schools are the registry schools of
-- its units (queries/scope_schools) and $account its username: a row is shown when its
-- school is one of them, or when it names no school of the registry (a blank or unknown
-- code, e.g. a new school) in a run the account uploaded; rows of registry schools outside
-- the units never.
select
    rejects.run_id,
    runs.file_name,
    rejects.sheet,
    rejects.source_row,
    rejects.school_code,
    rejects.column_name,
    rejects.field,
    rejects.rule,
    rejects.value,
    rejects.message,
    rejects.params  -- the message's parameters: its texts are made from the catalog when shown
from ingest_rejects as rejects
inner join ingest_runs as runs on rejects.run_id = runs.run_id
left join core_school__registry as registry on rejects.school_code = registry.school_code
where
    ($run_id is null or rejects.run_id = $run_id)
    and (
        cast($schools as varchar[]) is null
        or list_contains(cast($schools as varchar[]), rejects.school_code)
        or (registry.school_code is null and runs.run_by = $account)
    )
order by rejects.run_id desc, rejects.sheet, rejects.source_row, rejects.column_name
