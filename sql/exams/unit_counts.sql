-- The counts of exam_counts (counts.sql) per series (series.sql: a unit of a level and scheme,
-- and a subject or combination): each count goes to the series of its cell's units.
create or replace temp table exam_unit_counts as
select series.series, counts.score, sum(counts.papers) as papers
from exam_counts as counts
inner join exam_series as series
    on counts.cell = series.cell and counts.subject = series.subject
group by all
