-- Papers counted per score (docs/exams.md "Statistics"): one row per year, council, school
-- (NULL: the candidate is not linked), subject, and score, with the units of both schemes the
-- papers count in. Combination totals are rows too (subject: the combination's code, score:
-- the total of a candidate who sat its three papers, the foreign-language one in the
-- combination's language). Every figure of a unit is computed from the counts of its own
-- candidates' papers, never from smaller units' figures; 7 million papers of a national year
-- become far fewer rows, and a mean, a median or a spectrum read from them is exact.
-- Registered by ioc.exams.stats: exam_provinces (every council, its old province and that
-- province's successor), exam_school_places (school_places.sql), exam_combinations
-- (one row per combination and subject).
create or replace temp table exam_counts as
with candidates as (
    select
        candidates.year,
        candidates.candidate_no,
        candidates.council_code,
        candidates.foreign_language,
        candidates.province_code_legacy,
        provinces.province_code_2025,
        registrations.school_code,
        places.district_code_legacy,
        places.commune_code_2025
    from core_exam__candidates as candidates
    inner join exam_provinces as provinces on candidates.council_code = provinces.council_code
    left join core_exam__registrations as registrations
        on candidates.year = registrations.year
        and candidates.candidate_no = registrations.candidate_no
    left join exam_school_places as places on registrations.school_code = places.school_code
    where $all or candidates.year in (select unnest($years))
),

papers as (
    select candidates.*, scores.subject, scores.score::decimal(5, 2) as score
    from candidates
    inner join core_exam__scores as scores
        on candidates.year = scores.year and candidates.candidate_no = scores.candidate_no
),

totals as (
    select
        papers.* exclude (subject, score),
        combinations.code as subject,
        sum(papers.score)::decimal(5, 2) as score
    from papers
    inner join exam_combinations as combinations on papers.subject = combinations.subject
    where combinations.language is null or papers.foreign_language = combinations.language
    group by all
    having count(*) = 3
)

select
    year,
    council_code,
    province_code_legacy,
    province_code_2025,
    school_code,
    district_code_legacy,
    commune_code_2025,
    subject,
    score,
    count(*) as papers
from (
    select * from papers
    union all by name
    select * from totals
)
group by all
