-- Stored indicator sums (wide: one row per unit and period) on one basis ('official' |
-- 'all') for some units of one level, for the given school years (all when $school_years is
-- null) and term (both when null); of the measure columns, only $columns (every one when
-- null: ioc.compute.indicators.stored_columns). An `all` row is stored only where it differs
-- from the official one: with `all`, the official rows come too, and
-- ioc.compute.bases.on_basis keeps each unit-period's `all` row where there is one, else its
-- official row (a window here cost more than the read itself). The column `basis` comes
-- with `all` only.
select columns(
    lambda c: (c != 'basis' or $basis = 'all')
        and ($columns is null or not contains(c, '__') or list_contains($columns, c))
)
from out_indicator__sums
where scheme = $scheme
    and level = $level
    and (basis = $basis or basis = 'official')
    and list_contains($unit_codes, unit_code)
    and ($school_years is null or list_contains($school_years, school_year))
    and ($term is null or term = $term)
