-- The stored indicator sums of the given provinces (every one when $all), to compare with
-- their recomputed sums (ioc/compute/out_tables.py).
select *
from out_indicator__sums
where $all
    or (scheme = '2025' and province_code in (select unnest($provinces_2025)))
    or (scheme = 'legacy' and province_code in (select unnest($provinces_legacy)))
