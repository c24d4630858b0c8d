-- Every school's places a school's findings compare it within (ioc.compute.findings.peer_unit).
select school_code, district_code_legacy, province_code_2025
from core_school__registry
