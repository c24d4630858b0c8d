-- Schools to chase in a unit and period: expected but not reported, or reported late.
with registry as (
    select *, school_unit(registry, $scheme, $level) as unit_code
    from core_school__registry as registry
)

select
    expected.school_code,
    registry.school_name,
    registry.level,
    registry.district_code_legacy,
    registry.commune_code_2025,
    case when expected.has_return then 'late' else 'missing' end as status,
    expected.due_date,
    expected.first_received_date,
    registry.last_period
from core_school__expected as expected
inner join registry on expected.school_code = registry.school_code
where registry.unit_code = $code
    and expected.school_year = $school_year
    and expected.term = $term
    and not expected.is_on_time
order by status desc, expected.school_code
