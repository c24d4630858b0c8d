select indicator_id, scheme, unit_code, school_year, target_value from core_targets
