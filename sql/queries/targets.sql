select targets.*, units.name as unit_name
from core_targets as targets
left join core_geo__units as units
    on targets.scheme = units.scheme and targets.unit_code = units.code
order by targets.indicator_id, targets.scheme, targets.unit_code, targets.school_year
