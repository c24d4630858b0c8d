-- Every unit of both schemes, as ioc.domain.units.Unit fields (codes are unique within a scheme).
select scheme, level, code, name, province_code
from core_geo__units
