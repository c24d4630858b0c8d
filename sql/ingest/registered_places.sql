-- Where the registry places every school, in both unit schemes, and that place as text for
-- the messages of rows that would move a school or write outside an account's units.
select
    school_code,
    province_code_legacy,
    commune_code_legacy,
    province_code_2025,
    commune_code_2025,
    concat_ws(
        '; ',
        'legacy scheme province ' || province_code_legacy
        || coalesce(', old district ' || district_code_legacy, '')
        || coalesce(', commune ' || commune_code_legacy, ''),
        '2025 scheme province ' || province_code_2025
        || coalesce(', commune ' || commune_code_2025, '')
    ) as registered
from core_school__registry
