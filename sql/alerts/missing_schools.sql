-- The expected schools without a return in the period ($school_year, $term) once its due
-- date is past ($today).
select
    registry.school_code,
    registry.school_name,
    expected.due_date
from core_school__expected as expected
inner join core_school__registry as registry on expected.school_code = registry.school_code
where expected.school_year = $school_year
    and expected.term = $term
    and expected.due_date < $today
    and not expected.has_return
order by registry.school_code
