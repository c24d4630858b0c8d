-- The provinces loaded ranked in one subject ('*': the mean of all papers), with their
-- names and papers.
select
    ranks.unit_code,
    units.name as unit_name,
    ranks.rank,
    ranks.ranked,
    ranks.mean,
    papers.candidates,
    papers.failing
from out_exam__ranks as ranks
left join core_geo__units as units
    on units.scheme = ranks.scheme and units.code = ranks.unit_code
left join (
    select
        unit_code,
        cast(sum(candidates) as integer) as candidates,
        cast(sum(failing) as integer) as failing
    from out_exam__subject_stats
    where year = $year and scheme = $scheme and level = 'province'
        and ($subject = '*' or subject = $subject)
    group by unit_code
) as papers on papers.unit_code = ranks.unit_code
where ranks.year = $year and ranks.scheme = $scheme and ranks.subject = $subject
order by ranks.rank, ranks.unit_code
