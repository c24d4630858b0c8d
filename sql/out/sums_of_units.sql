-- The stored indicator sums of the (unit, period, basis) rows registered as `units` (the units
-- of the schools whose difference is added: ioc/compute/sums_delta.py).
select stored.*
from out_indicator__sums as stored
semi join units
    using (scheme, level, unit_code, province_code, school_year, term, basis)
