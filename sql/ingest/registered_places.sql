-- Where the registry places every school, in both unit schemes (the parameters of the
-- messages of rows that would move a school or write outside an account's units).
select
    school_code,
    province_code_legacy,
    district_code_legacy,
    commune_code_legacy,
    province_code_2025,
    commune_code_2025
from core_school__registry
