-- Per school ($school_codes), source, resource and period, when the school was last pulled and
-- from where: the change version the source gave, the run that stored it and when
-- (docs/pulls.md). Newest first.
-- What a source gave row by row is in ingest_pulled (the registry's rows have '' as their
-- period); a return file pulled from a URL (http-file) leaves none there: its run says when,
-- and the source's watermark (the file's ETag or Last-Modified) says which version while that
-- run is the one that stored it.
with given as (
    select
        pulled.school_code,
        pulled.source,
        pulled.resource,
        pulled.school_year,
        pulled.term,
        pulled.version,
        pulled.run_id,
        pulled.pulled_at
    from ingest_pulled as pulled
    where pulled.school_code in (select unnest($school_codes))
),

files as (
    select
        returns.school_code,
        runs.source_name as source,
        runs.pull_resource as resource,
        returns.school_year,
        returns.term,
        state.watermark as version,
        returns.run_id,
        runs.finished_at as pulled_at
    from core_school__period_returns as returns
    inner join ingest_runs as runs on returns.run_id = runs.run_id
    left join ingest_pull_state as state
        on
            runs.source_name = state.source
            and runs.pull_resource = state.resource
            and runs.run_id = state.run_id
    where returns.school_code in (select unnest($school_codes)) and runs.source_name is not null
),

pulls as (
    select * from given
    union all
    select * from files
    anti join given using (school_code, source, resource, school_year, term)
)

select
    pulls.school_code,
    pulls.source,
    runs.source_kind,
    pulls.resource,
    pulls.school_year,
    pulls.term,
    pulls.version,
    pulls.run_id,
    pulls.pulled_at
from pulls
left join ingest_runs as runs on pulls.run_id = runs.run_id
order by pulls.pulled_at desc, pulls.source, pulls.resource, pulls.school_year desc,
    pulls.term = 'DN'
