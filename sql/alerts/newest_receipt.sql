-- Per unit of one level ($scheme, $level; per school at level 'school'): when the newest of
-- its schools' returns was received, with the unit's (or school's) name.
with received as (
    select
        case
            when $level = 'school' then registry.school_code
            else school_unit(registry, $scheme, $level)
        end as subject_code,
        any_value(registry.school_name) as school_name,
        max(runs.received_date) as newest
    from core_school__period_returns as returns
    inner join core_school__registry as registry on returns.school_code = registry.school_code
    inner join ingest_runs as runs on returns.run_id = runs.run_id and runs.kind = 'returns'
    group by all
)

select
    received.subject_code,
    case when $level = 'school' then received.school_name else units.name end as subject_name,
    received.newest
from received
left join core_geo__units as units
    on units.scheme = $scheme and units.level = $level and units.code = received.subject_code
where received.subject_code is not null
    and ($level = 'school' or units.code is not null)
