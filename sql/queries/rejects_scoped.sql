-- Rejected rows of one run as a unit-scoped account may read them. $schools are the registry
-- schools of the account's units (queries/scope_schools); $account is its username. A row is
-- shown when its school is one of them; a row that names no school of the registry (a blank
-- or unknown school code, e.g. a new school) is shown only in a run the account uploaded
-- itself. Rows of registry schools outside the units are never shown.
select
    rejects.run_id,
    runs.file_name,
    rejects.sheet,
    rejects.source_row,
    rejects.school_code,
    rejects.column_name,
    rejects.rule,
    rejects.value,
    rejects.message
from ingest_rejects as rejects
inner join ingest_runs as runs on rejects.run_id = runs.run_id
left join core_school__registry as registry on rejects.school_code = registry.school_code
where
    rejects.run_id = $run_id
    and (
        list_contains(cast($schools as varchar[]), rejects.school_code)
        or (registry.school_code is null and runs.run_by = $account)
    )
order by rejects.sheet, rejects.source_row, rejects.column_name
