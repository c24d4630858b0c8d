-- The units of one level of a scheme (within one province when $province is given).
select code as unit_code, name as unit_name, parent_code
from core_geo__units
where scheme = $scheme and level = $level and ($province is null or province_code = $province)
