-- Rejected rows of one run as a unit-scoped account may read them. $schemes and $codes are
-- the units the account may see (parallel lists, from queries/scope_units); $account is its
-- username. A row is shown when its school is placed, in the registry and in either unit
-- scheme, in one of those units; a row that names no school of the registry (a blank or
-- unknown school code, e.g. a new school) is shown only in a run the account uploaded
-- itself. Rows of registry schools outside the units are never shown.
with allowed as (
    select
        unnest(cast($schemes as varchar[])) as scheme,
        unnest(cast($codes as varchar[])) as code
),

inside as (
    select distinct registry.school_code
    from core_school__registry as registry
    inner join allowed
        on (
            allowed.scheme = 'legacy'
            and allowed.code in (
                registry.province_code_legacy,
                registry.district_code_legacy,
                registry.commune_code_legacy
            )
        )
        or (
            allowed.scheme = '2025'
            and allowed.code in (registry.province_code_2025, registry.commune_code_2025)
        )
)

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
        rejects.school_code in (select inside.school_code from inside)
        or (registry.school_code is null and runs.run_by = $account)
    )
order by rejects.sheet, rejects.source_row, rejects.column_name
