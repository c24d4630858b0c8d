-- A series: the papers (or combination totals) of one unit of one level and scheme in one
-- subject, numbered so that unit_counts.sql and unit_stats.sql group, partition and sort by an
-- integer instead of five text columns. One row per cell of exam_counts (counts.sql), subject
-- and unit the cell's papers count in: a province of either scheme counts every candidate of
-- its councils; an old district, a 2025 commune and a school only the candidates linked to a
-- school there. A school is a unit of both schemes: its series has scheme NULL (its figures
-- are computed once and given to each scheme after). grid: the subject's usual grid (NULL
-- for a combination).
create or replace temp table exam_series as
with cells as (
    select distinct
        cell,
        year,
        province_code_legacy,
        province_code_2025,
        district_code_legacy,
        commune_code_2025,
        school_code,
        subject
    from exam_counts
),

members as (
    select cell, year, 'legacy' as scheme, 'province' as level, province_code_legacy as unit_code, subject
    from cells

    union all

    select cell, year, '2025', 'province', province_code_2025, subject
    from cells

    union all

    select cell, year, 'legacy', 'district', district_code_legacy, subject
    from cells
    where district_code_legacy is not null

    union all

    select cell, year, '2025', 'commune', commune_code_2025, subject
    from cells
    where commune_code_2025 is not null

    union all

    select cell, year, null, 'school', school_code, subject
    from cells
    where school_code is not null
),

numbered as (
    select year, scheme, level, unit_code, subject, row_number() over ()::integer as series
    from members
    group by all
)

select members.cell, numbered.*, subjects.grid
from members
inner join numbered
    on members.year = numbered.year
    and members.scheme is not distinct from numbered.scheme
    and members.level = numbered.level
    and members.unit_code = numbered.unit_code
    and members.subject = numbered.subject
left join exam_subjects as subjects on members.subject = subjects.code
