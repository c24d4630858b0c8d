-- The Department's targets for some units of one scheme.
select indicator_id, scheme, unit_code, school_year, target_value
from core_targets
where scheme = $scheme and list_contains($unit_codes, unit_code)
