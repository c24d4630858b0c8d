-- out_exam__spectrum of the years rebuilt: papers (or combination totals) per bin of $step
-- by the bin's lower edge; 10 (30 for a total) is a multiple of the step, so a bin of its own.
-- A school's bins (scheme NULL in exam_unit_counts) are counted once, given to each scheme.
insert into out_exam__spectrum by name
with bins as (
    select
        year,
        scheme,
        level,
        unit_code,
        subject,
        (floor(score / $step) * $step)::decimal(5, 2) as bin_from,
        sum(papers)::integer as papers
    from exam_unit_counts
    group by all
)

select bins.* replace (schemes.scheme as scheme)
from bins
inner join (values ('legacy'), ('2025')) as schemes (scheme)
    on schemes.scheme = coalesce(bins.scheme, schemes.scheme)
