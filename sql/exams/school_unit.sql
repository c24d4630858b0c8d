-- A school as a unit of the exam figures: its name and its province in each scheme.
select school_code, school_name, province_code_legacy, province_code_2025
from core_school__registry
where school_code = $code
