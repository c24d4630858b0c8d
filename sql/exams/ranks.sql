-- out_exam__ranks of the years rebuilt: the provinces loaded ranked per subject by the mean
-- of their papers, in each scheme (1 = highest, equal means share a rank); subject '*' by the
-- mean of all their papers of every subject.
insert into out_exam__ranks by name
with means as (
    select
        year,
        scheme,
        unit_code,
        coalesce(subject, '*') as subject,
        sum(papers * score)::double / sum(papers) as mean
    from exam_unit_counts
    inner join (select distinct series, year, scheme, level, unit_code, subject from exam_series)
        using (series)
    where level = 'province' and subject in (select code from exam_subjects)
    group by grouping sets ((year, scheme, unit_code, subject), (year, scheme, unit_code))
)

select
    year,
    scheme,
    unit_code,
    subject,
    mean,
    rank() over (partition by year, scheme, subject order by mean desc) as rank,
    count(*) over (partition by year, scheme, subject) as ranked
from means
