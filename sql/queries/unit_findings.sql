-- Findings and ingest warnings for the schools of a unit in one period (params: the
-- message's parameters, its texts are made from the catalog when shown).
with registry as (
    select school_code, school_name, school_unit(registry, $scheme, $level) as unit_code
    from core_school__registry as registry
),

warnings as (
    select
        warnings.school_code,
        returns.school_year,
        returns.term,
        'warning:' || warnings.rule as rule,
        warnings.field,
        warnings.value,
        warnings.message,
        warnings.params
    from ingest_warnings as warnings
    inner join core_school__period_returns as returns
        on warnings.run_id = returns.run_id
        and warnings.sheet is not distinct from returns.sheet
        and warnings.source_row = returns.source_row
),

all_findings as (
    select * from out_quality__findings
    union all
    select * from warnings
)

select registry.school_name, all_findings.*
from all_findings
inner join registry on all_findings.school_code = registry.school_code
where registry.unit_code = $code
    and all_findings.school_year = $school_year
    and all_findings.term = $term
order by all_findings.rule, all_findings.school_code
