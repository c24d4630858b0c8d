-- The counts of exam_counts (counts.sql) per unit of each level and scheme: a province of
-- either scheme counts every candidate of its councils; an old district, a 2025 commune and a
-- school only the candidates linked to a school there. A school is a unit of both schemes:
-- its rows are counted once, with scheme NULL (exam_schemes gives them each scheme after).
create or replace temp table exam_unit_counts as
select year, scheme, level, unit_code, subject, score, sum(papers) as papers
from (
    select
        year,
        'legacy' as scheme,
        'province' as level,
        province_code_legacy as unit_code,
        subject,
        score,
        papers
    from exam_counts

    union all

    select year, '2025', 'province', province_code_2025, subject, score, papers
    from exam_counts

    union all

    select year, 'legacy', 'district', district_code_legacy, subject, score, papers
    from exam_counts
    where district_code_legacy is not null

    union all

    select year, '2025', 'commune', commune_code_2025, subject, score, papers
    from exam_counts
    where commune_code_2025 is not null

    union all

    select year, null, 'school', school_code, subject, score, papers
    from exam_counts
    where school_code is not null
)
group by all
