-- One unit by scheme and code (codes are unique within a scheme: 2, 3 or 5 digits).
select scheme, level, code, name, short_name, unit_type, parent_code, province_code,
    district_code, latitude, longitude
from core_geo__units
where scheme = $scheme and code = $code
