-- Each series' unit (exam_series: one row per cell, so listed once here), once for each scheme
-- it is shown in: a school's series (scheme NULL) in both. spectrum.sql and unit_stats.sql
-- give their figures to these rows.
create or replace temp table exam_series_units as
select distinct units.series, units.year, schemes.scheme, units.level, units.unit_code, units.subject
from exam_series as units
inner join (values ('legacy'), ('2025')) as schemes (scheme)
    on schemes.scheme = coalesce(units.scheme, schemes.scheme)
