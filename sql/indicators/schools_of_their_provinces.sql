-- How many schools the registry holds in the 2025 provinces of the given schools: what
-- recomputing those provinces would read (ioc/compute/sums_delta.py weighs it against
-- taking the given schools' difference).
select count(*)
from core_school__registry
where province_code_2025 in (
    select province_code_2025 from core_school__registry
    where school_code in (select unnest($school_codes))
)
