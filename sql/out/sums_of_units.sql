-- The stored indicator sums of the (unit, period, basis) rows registered as `units` (the units
-- of the schools whose difference is added: ioc/compute/sums_delta.py). An `all` row not
-- stored is the official one (ioc/compute/bases.py): it is answered as that row.
select stored.* replace (units.basis as basis)
from units
inner join out_indicator__sums as stored
    using (scheme, level, unit_code, province_code, school_year, term)
where stored.basis = units.basis or stored.basis = 'official'
qualify row_number() over (
    partition by scheme, level, unit_code, province_code, school_year, term, units.basis
    order by stored.basis = units.basis desc
) = 1
