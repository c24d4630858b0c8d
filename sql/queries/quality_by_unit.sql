-- Reporting completeness and timeliness, schools with findings and schools to chase (not on
-- time), for each child unit of a unit (or the unit itself when $child_level = $level) in one
-- period; of every unit of $level when $code is null, each row under its parent_code.
with registry as (
    select
        *,
        school_unit(registry, $scheme, $level) as unit_code,
        school_unit(registry, $scheme, $child_level) as child_code
    from core_school__registry as registry
),

expected as (
    select expected.*, registry.unit_code as parent_code, registry.child_code
    from core_school__expected as expected
    inner join registry on expected.school_code = registry.school_code
    where ($code is null or registry.unit_code = $code)
        and expected.school_year = $school_year
        and expected.term = $term
),

flagged as (
    select distinct school_code from out_quality__findings
    where school_year = $school_year and term = $term
    union
    select distinct warnings.school_code
    from ingest_warnings as warnings
    inner join core_school__period_returns as returns
        on warnings.run_id = returns.run_id
        and warnings.sheet is not distinct from returns.sheet
        and warnings.source_row = returns.source_row
    where returns.school_year = $school_year and returns.term = $term
),

final as (
    select
        expected.parent_code,
        coalesce(expected.child_code, '') as unit_code,
        count(*) as schools_expected,
        count(*) filter (where has_return) as schools_reported,
        count(*) filter (where is_on_time) as schools_on_time,
        count(*) filter (where not has_return) as schools_missing,
        count(*) filter (where has_return and not is_on_time) as schools_late,
        count(flagged.school_code) filter (where has_return) as schools_with_findings,
        count(*) filter (where not is_on_time) as schools_to_chase
    from expected
    left join flagged on expected.school_code = flagged.school_code
    group by all
)

select
    final.*,
    units.name as unit_name
from final
left join core_geo__units as units
    on units.scheme = $scheme and units.level = $child_level and final.unit_code = units.code
order by final.parent_code, final.unit_code
