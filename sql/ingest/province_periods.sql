-- The periods each old province reported in, as core_school__expected holds them: every
-- school's expected rows depend on these, so when they change every school is rebuilt.
select distinct legacy_province, school_year, term
from core_school__expected
where has_return
order by all
