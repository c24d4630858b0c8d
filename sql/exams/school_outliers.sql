-- out_exam__school_outliers of the years rebuilt: per old province (the candidates'
-- council's) and subject, the schools with at least $min_papers papers; a school whose mean
-- lies $z or more population standard deviations from the mean of those schools' means
-- (province_mean) is an outlier: a marking or linking problem to look at.
insert into out_exam__school_outliers by name
with schools as (
    select
        year,
        province_code_legacy,
        school_code,
        subject,
        sum(papers)::integer as papers,
        sum(papers * score)::double / sum(papers) as mean
    from exam_counts
    where school_code is not null and subject in (select code from exam_subjects)
    group by all
    having sum(papers) >= $min_papers
),

scored as (
    select
        *,
        avg(mean) over province as province_mean,
        stddev_pop(mean) over province as spread
    from schools
    window province as (partition by year, province_code_legacy, subject)
)

select
    year,
    school_code,
    subject,
    papers,
    mean,
    province_mean,
    (mean - province_mean) / spread as z
from scored
where spread > 0 and abs(mean - province_mean) >= $z * spread
