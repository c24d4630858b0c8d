-- One unit by scheme and code (level inferred by the caller from the code's length).
select scheme, level, code, name, parent_code, province_code, district_code
from core_geo__units
where scheme = $scheme and code = $code
