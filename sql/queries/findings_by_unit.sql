-- Per unit of one level: how many findings and ingest warnings its schools have in one
-- period (the rows queries/unit_findings lists for each unit).
with registry as (
    select school_code, school_unit(registry, $scheme, $level) as unit_code
    from core_school__registry as registry
),

flagged as (
    select school_code from out_quality__findings
    where school_year = $school_year and term = $term
    union all
    select warnings.school_code
    from ingest_warnings as warnings
    inner join core_school__period_returns as returns
        on warnings.run_id = returns.run_id
        and warnings.sheet is not distinct from returns.sheet
        and warnings.source_row = returns.source_row
    where returns.school_year = $school_year and returns.term = $term
)

select registry.unit_code, count(*) as findings_count
from flagged
inner join registry on flagged.school_code = registry.school_code
where registry.unit_code is not null
group by all
