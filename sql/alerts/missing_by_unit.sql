-- Per unit of one level ($scheme, $level) in the period ($school_year, $term), once the
-- period's due date is past ($today): its expected schools and those without a return
-- (core_school__expected), for the units where some are missing.
select
    school_unit(registry, $scheme, $level) as unit_code,
    any_value(units.name) as unit_name,
    count(*) as expected,
    count(*) filter (where not expected.has_return) as missing,
    min(expected.due_date) as due_date
from core_school__expected as expected
inner join core_school__registry as registry on expected.school_code = registry.school_code
inner join core_geo__units as units
    on units.scheme = $scheme
    and units.level = $level
    and units.code = school_unit(registry, $scheme, $level)
where expected.school_year = $school_year
    and expected.term = $term
    and expected.due_date < $today
group by all
having count(*) filter (where not expected.has_return) > 0
