-- The province (2008-2025 scheme) with the most schools: where an unscoped account lands.
select province_code_legacy as code
from core_school__registry
where province_code_legacy is not null
group by province_code_legacy
order by count(*) desc, province_code_legacy
limit 1
