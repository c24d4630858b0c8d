-- Per unit and subject (or combination): how many papers (totals), their mean, median and
-- population standard deviation, and the papers at each threshold, read from the counts per
-- score of exam_unit_counts (unit_counts.sql). The sums of scores are exact (decimals), the
-- median is the middle paper (the mean of the two middle ones for an even count).
-- $at_least: the catalog's thresholds (5, 8); $failing_max: điểm liệt (1.0); totals of a
-- combination are counted at 15 and 24 (three papers at 5 and at 8). A school's figures
-- (scheme NULL in exam_series) are computed once and given to each scheme.
create or replace temp table exam_unit_stats as
with reached as (
    select
        counts.*,
        sum(papers) over unit as n,
        sum(papers) over (unit order by score rows unbounded preceding) as reached,
        series.grid
    from exam_unit_counts as counts
    inner join (select distinct series, grid from exam_series) as series
        on counts.series = series.series
    window unit as (partition by counts.series)
),

stats as (
    select
        series,
        sum(papers)::integer as candidates,
        sum(papers * score)::double / sum(papers) as mean,
        (
            min(score) filter (where reached >= (n + 1) // 2)
            + min(score) filter (where reached >= n // 2 + 1)
        )::double / 2 as median,
        sqrt(
            greatest(
                (sum(papers) * sum(papers * score * score) - sum(papers * score) ** 2)::double, 0
            )
        ) / sum(papers) as sd,
        coalesce(sum(papers) filter (where score >= $at_least[1]), 0)::integer as ge5,
        coalesce(sum(papers) filter (where score >= $at_least[2]), 0)::integer as ge8,
        coalesce(sum(papers) filter (where score = 10), 0)::integer as eq10,
        coalesce(sum(papers) filter (where score <= $failing_max), 0)::integer as failing,
        coalesce(sum(papers) filter (where score % grid <> 0), 0)::integer as off_grid,
        coalesce(sum(papers) filter (where score >= 15), 0)::integer as ge15,
        coalesce(sum(papers) filter (where score >= 24), 0)::integer as ge24
    from reached
    group by series
)

select
    units.* exclude (series),
    stats.* exclude (series)
from stats
inner join exam_series_units as units on stats.series = units.series
