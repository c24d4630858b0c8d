-- Every indicator for every unit of both schemes and every period (ioc/indicators.py).
-- value = factor × numerator / denominator over the schools where both are known (ratio of
-- sums); for counts and sums, value = numerator. norm_value is the norm weighted by the
-- schools' denominators. is_break marks the first school year under the 2025 units.
create or replace table out_indicator__values (
    scheme varchar not null,
    level varchar not null,
    unit_code varchar not null,
    province_code varchar not null,  -- the unit's province in its scheme
    school_year varchar not null,
    term varchar not null,
    indicator_id varchar not null,
    numerator double,
    denominator double,
    value double,
    schools_contributing uinteger not null,
    schools_in_scope uinteger not null,
    norm_value double,
    norm_status varchar not null,
    target_value double,
    target_status varchar not null,
    previous_value double,
    change double,
    is_break boolean not null
)
