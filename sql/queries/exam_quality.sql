-- Data quality of the exam results per council (docs/exams.md "Data quality"): the
-- candidate-number range covered, the candidates linked to a school, the outlier schools;
-- with the council's old province and its 2025 successor (for scoping and filtering).
with successors as (
    select distinct council_code, unit_code as province_code_2025
    from out_exam__province_councils
    where year = $year and scheme = '2025'
),

outliers as (
    select registry.province_code_legacy, count(distinct outliers.school_code) as schools
    from out_exam__school_outliers as outliers
    inner join core_school__registry as registry
        on registry.school_code = outliers.school_code
    where outliers.year = $year
    group by registry.province_code_legacy
)

select
    quality.council_code,
    quality.province_code_legacy,
    successors.province_code_2025,
    quality.candidates,
    quality.highest_no,
    quality.expected_max_no,
    100.0 * quality.highest_no / nullif(quality.expected_max_no, 0) as range_covered_pct,
    quality.stated_coverage,
    quality.linked,
    100.0 * quality.linked / nullif(quality.candidates, 0) as linked_pct,
    coalesce(outliers.schools, 0) as outlier_schools
from out_exam__quality as quality
left join successors on successors.council_code = quality.council_code
left join outliers on outliers.province_code_legacy = quality.province_code_legacy
where quality.year = $year
order by quality.council_code
