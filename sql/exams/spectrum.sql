-- out_exam__spectrum of the years rebuilt: papers (or combination totals) per bin of $step
-- by the bin's lower edge; 10 (30 for a total) is a multiple of the step, so a bin of its own.
-- A school's bins (scheme NULL in exam_series) are counted once, given to each scheme.
insert into out_exam__spectrum by name
with bins as (
    select
        series,
        (floor(score / $step) * $step)::decimal(5, 2) as bin_from,
        sum(papers)::integer as papers
    from exam_unit_counts
    group by all
)

select
    units.* exclude (series),
    bins.bin_from,
    bins.papers
from bins
inner join exam_series_units as units on bins.series = units.series
