-- The linked schools placed in one unit ($scheme, $level, $unit), ranked by their mean in
-- one subject ('*': the mean of all their papers, medians and spreads then left out), with
-- each school's inputs from its latest return of the exam's school year ($school_year: the
-- whole-year return CN, else the first-term one DN): students and teachers per class.
with stats as (
    select
        unit_code as school_code, subject, candidates, mean, median, sd, ge5, ge8, eq10,
        failing
    from out_exam__subject_stats
    where year = $year and level = 'school'
    -- a school's figures are the same in either scheme: the scheme asked for if both exist
    qualify row_number() over (
        partition by unit_code, subject order by (scheme = $scheme) desc
    ) = 1
),

chosen as (
    select school_code, candidates as papers, mean, median, sd, ge5, ge8, eq10, failing
    from stats
    where subject = $subject
    union all
    select
        school_code,
        cast(sum(candidates) as integer),
        sum(mean * candidates) / nullif(sum(candidates), 0),
        null,
        null,
        cast(sum(ge5) as integer),
        cast(sum(ge8) as integer),
        cast(sum(eq10) as integer),
        cast(sum(failing) as integer)
    from stats
    where $subject = '*'
    group by school_code
),

placed as (
    select registry.*
    from core_school__registry as registry
    where case
        when $scheme = 'legacy' and $level = 'province' then registry.province_code_legacy
        when $scheme = 'legacy' and $level = 'district' then registry.district_code_legacy
        when $scheme = 'legacy' and $level = 'commune' then registry.commune_code_legacy
        when $scheme = '2025' and $level = 'province' then registry.province_code_2025
        when $scheme = '2025' and $level = 'commune' then registry.commune_code_2025
    end = $unit
),

inputs as (
    select
        school_code,
        school_year || '/' || term as inputs_period,
        students / nullif(classes, 0) as students_per_class,
        teachers / nullif(classes, 0) as teachers_per_class
    from core_school__period_returns
    where school_year = $school_year
    qualify row_number() over (partition by school_code order by (term = 'CN') desc) = 1
)

select
    rank() over (order by chosen.mean desc nulls last) as rank,
    chosen.school_code,
    placed.school_name,
    placed.district_code_legacy,
    placed.commune_code_2025,
    chosen.papers,
    chosen.mean,
    chosen.median,
    chosen.sd,
    chosen.ge5,
    chosen.ge8,
    chosen.eq10,
    chosen.failing,
    inputs.students_per_class,
    inputs.teachers_per_class,
    inputs.inputs_period
from chosen
inner join placed on placed.school_code = chosen.school_code
left join inputs on inputs.school_code = chosen.school_code
order by rank, chosen.school_code
