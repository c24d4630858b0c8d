-- The score spectrum of one subject (or a combination's totals) for units of a scheme:
-- papers per bin and each bin's share of the unit's papers (%), for the comparison chart.
-- $level and $units as in exam_subject_stats.
with bins as (
    select spectrum.unit_code, cast(spectrum.bin_from as double) as bin_from, spectrum.papers
    from out_exam__spectrum as spectrum
    where spectrum.year = $year
        and spectrum.scheme = $scheme
        and spectrum.level = $level
        and spectrum.subject = $subject
        and ($units is null or list_contains(cast($units as varchar[]), spectrum.unit_code))
)

select
    bins.unit_code,
    units.name as unit_name,
    bins.bin_from,
    bins.papers,
    100.0 * bins.papers / sum(bins.papers) over (partition by bins.unit_code) as share_pct
from bins
left join core_geo__units as units
    on units.scheme = $scheme and units.code = bins.unit_code
order by bins.unit_code, bins.bin_from
