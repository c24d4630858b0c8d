-- Delete the stored indicator sums of the (unit, period, basis) rows registered as `replaced`
-- (their values changed, or the unit is gone), before the new values are inserted.
delete from out_indicator__sums as stored
using replaced
where stored.scheme = replaced.scheme
    and stored.level = replaced.level
    and stored.unit_code = replaced.unit_code
    and stored.province_code = replaced.province_code
    and stored.school_year = replaced.school_year
    and stored.term = replaced.term
    and stored.basis = replaced.basis
