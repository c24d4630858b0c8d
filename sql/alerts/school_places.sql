-- The place of some schools ($school_codes) in both schemes: every unit that contains each.
select
    school_code,
    province_code_legacy,
    district_code_legacy,
    commune_code_legacy,
    province_code_2025,
    commune_code_2025
from core_school__registry
where list_contains($school_codes, school_code)
