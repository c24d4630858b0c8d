-- Papers counted per score (docs/exams.md "Statistics"): one row per year, council, school
-- (NULL: the candidate is not linked), subject, and score, with the units of both schemes the
-- papers count in. Combination totals are rows too (subject: the combination's code, score:
-- the total of a candidate who sat its three papers, the foreign-language one in the
-- combination's language). Every figure of a unit is computed from the counts of its own
-- candidates' papers, never from smaller units' figures; 7 million papers of a national year
-- become far fewer rows, and a mean, a median or a spectrum read from them is exact.
-- The papers are counted by council and school; the places of a council and of a school are
-- joined to the counts after. Registered by ioc.exams.stats: exam_provinces (every council,
-- its old province and that province's successor), exam_school_places (school_places.sql),
-- exam_combinations (each combination's three subjects, a row each, and its language).
create or replace temp table exam_counts as
with candidates as (
    select
        candidates.year,
        candidates.candidate_no,
        candidates.council_code,
        candidates.province_code_legacy,
        candidates.foreign_language,
        registrations.school_code
    from core_exam__candidates as candidates
    left join core_exam__registrations as registrations
        on candidates.year = registrations.year
        and candidates.candidate_no = registrations.candidate_no
    where $all or candidates.year in (select unnest($years))
),

-- each candidate's papers of the combinations' subjects side by side, in hundredths (one
-- group per candidate: a candidate's papers of a combination are looked up in its lists)
combination_papers as (
    select
        year,
        candidate_no,
        list(subject) as subjects,
        list((score * 100)::smallint) as hundredths
    from core_exam__scores
    where
        ($all or year in (select unnest($years)))
        and subject in (select subject from exam_combinations)
    group by year, candidate_no
),

combinations as (
    select code, list(subject) as subjects, any_value(language) as language
    from exam_combinations
    group by code
),

-- each candidate's total of each combination whose three papers it sat (NULL: one missing);
-- the language is checked against the candidate's below
totals as (
    select
        papers.year,
        papers.candidate_no,
        combinations.code as combination,
        combinations.language,
        papers.hundredths[list_position(papers.subjects, combinations.subjects[1])]
        + papers.hundredths[list_position(papers.subjects, combinations.subjects[2])]
        + papers.hundredths[list_position(papers.subjects, combinations.subjects[3])]
            as hundredths
    from combination_papers as papers
    cross join combinations
),

papers as (
    select
        candidates.year,
        candidates.council_code,
        candidates.province_code_legacy,
        candidates.school_code,
        scores.subject,
        scores.score::decimal(5, 2) as score
    from candidates
    inner join core_exam__scores as scores
        on candidates.year = scores.year and candidates.candidate_no = scores.candidate_no

    union all

    select
        candidates.year,
        candidates.council_code,
        candidates.province_code_legacy,
        candidates.school_code,
        totals.combination,
        (totals.hundredths / 100)::decimal(5, 2)
    from candidates
    inner join totals
        on candidates.year = totals.year and candidates.candidate_no = totals.candidate_no
    where
        totals.hundredths is not null
        and (totals.language is null or candidates.foreign_language = totals.language)
),

counted as (
    select year, council_code, province_code_legacy, school_code, subject, score, count(*) as papers
    from papers
    group by all
),

-- a cell: the candidates of a year, council and school (or of none); series.sql finds each
-- cell's units once instead of each count's
cells as (
    select year, council_code, school_code, row_number() over ()::integer as cell
    from counted
    group by all
)

select
    cells.cell,
    counted.year,
    counted.council_code,
    counted.province_code_legacy,
    provinces.province_code_2025,
    counted.school_code,
    places.district_code_legacy,
    places.commune_code_2025,
    counted.subject,
    counted.score,
    counted.papers
from counted
inner join cells
    on counted.year = cells.year
    and counted.council_code = cells.council_code
    and counted.school_code is not distinct from cells.school_code
inner join exam_provinces as provinces on counted.council_code = provinces.council_code
left join exam_school_places as places on counted.school_code = places.school_code
