-- Per source, resource and period, when one school was last pulled and from where: the change
-- version the source gave, the run that stored it and when (docs/pulls.md: ingest_pulled).
-- The registry's rows (resource 'schools') have '' as their period. Newest first.
select
    pulled.source,
    runs.source_kind,
    pulled.resource,
    pulled.school_year,
    pulled.term,
    pulled.version,
    pulled.run_id,
    pulled.pulled_at
from ingest_pulled as pulled
left join ingest_runs as runs on pulled.run_id = runs.run_id
where pulled.school_code = $school_code
order by pulled.pulled_at desc, pulled.source, pulled.resource, pulled.school_year desc,
    pulled.term = 'DN'
