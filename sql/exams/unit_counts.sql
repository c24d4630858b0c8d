-- The counts of exam_counts (counts.sql) per unit of each level and scheme: a province of
-- either scheme counts every candidate of its councils; an old district, a 2025 commune and a
-- school only the candidates linked to a school there. A school's rows are in both schemes.
create or replace temp table exam_unit_counts as
select
    year,
    'legacy' as scheme,
    'province' as level,
    province_code_legacy as unit_code,
    subject,
    score,
    sum(papers) as papers
from exam_counts
group by all

union all

select year, '2025', 'province', province_code_2025, subject, score, sum(papers)
from exam_counts
group by all

union all

select year, 'legacy', 'district', district_code_legacy, subject, score, sum(papers)
from exam_counts
where district_code_legacy is not null
group by all

union all

select year, '2025', 'commune', commune_code_2025, subject, score, sum(papers)
from exam_counts
where commune_code_2025 is not null
group by all

union all

select year, schemes.scheme, 'school', school_code, subject, score, sum(papers)
from exam_counts
cross join (values ('legacy'), ('2025')) as schemes (scheme)
where school_code is not null
group by all
