-- The returns of one period as the review desk lists them: the school, its units in both
-- schemes (the registry's place), when its run was received, its findings and the content
-- hash of the return (docs/approval.md). The review state is joined in Python from the store.
-- $school_code: one school only, or null for every school of the period.
with findings as (
    select school_code, count(*) as findings
    from out_quality__findings
    where school_year = $school_year and term = $term
    group by school_code
)

select
    returns.school_code,
    returns.school_name,
    returns.level,
    returns.scheme,
    registry.province_code_legacy,
    registry.district_code_legacy,
    registry.commune_code_legacy,
    registry.province_code_2025,
    registry.commune_code_2025,
    runs.finished_at as received_at,
    coalesce(findings.findings, 0)::integer as findings,
    returns.content_hash
from core_school__period_returns as returns
left join core_school__registry as registry on returns.school_code = registry.school_code
left join ingest_runs as runs on returns.run_id = runs.run_id
left join findings on returns.school_code = findings.school_code
where returns.school_year = $school_year and returns.term = $term
    and ($school_code is null or returns.school_code = $school_code)
order by returns.school_code
