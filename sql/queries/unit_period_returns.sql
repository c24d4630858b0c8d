-- The returns of one period from the schools placed in one unit (either scheme, any level).
-- Schools are placed through the registry, so an old district still has its schools after
-- 1 July 2025 and a 2025 commune has its schools before it.
with registry as (
    select * from core_school__registry
),

in_unit as (
    select school_code
    from registry
    where
        ($scheme = 'legacy' and $level = 'province' and province_code_legacy = $code)
        or ($scheme = 'legacy' and $level = 'district' and district_code_legacy = $code)
        or ($scheme = 'legacy' and $level = 'commune' and commune_code_legacy = $code)
        or ($scheme = '2025' and $level = 'province' and province_code_2025 = $code)
        or ($scheme = '2025' and $level = 'commune' and commune_code_2025 = $code)
),

final as (
    select returns.*
    from core_school__period_returns as returns
    semi join in_unit on returns.school_code = in_unit.school_code
    where returns.school_year = $school_year and returns.term = $term
)

select * from final
