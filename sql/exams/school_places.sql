-- Where each school of the registry lies (core_school__registry): the old district and the
-- 2025 commune a linked candidate's papers count in.
select school_code, district_code_legacy, commune_code_2025
from core_school__registry
