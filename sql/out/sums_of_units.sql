-- The stored indicator sums of the (unit, period, basis) rows registered as `units` (the units
-- of the schools whose difference is added: ioc/compute/sums_delta.py). An `all` row not
-- stored is the official one (ioc/compute/bases.py): it is answered as that row.
select stored.* replace (units.basis as basis)
from units
inner join out_indicator__sums as stored
    on stored.scheme = units.scheme
    and stored.level = units.level
    and stored.unit_code = units.unit_code
    and stored.province_code = units.province_code
    and stored.school_year = units.school_year
    and stored.term = units.term
    and (stored.basis = units.basis or stored.basis = 'official')
qualify row_number() over (
    partition by units.scheme, units.level, units.unit_code, units.province_code,
        units.school_year, units.term, units.basis
    order by stored.basis = units.basis desc
) = 1
