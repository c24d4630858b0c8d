-- The places of schools in both schemes (docs/approval.md, "Places"): a review action is
-- allowed by the approver's scopes against these codes. One row per school of $school_codes.
select
    school_code,
    province_code_legacy,
    district_code_legacy,
    commune_code_legacy,
    province_code_2025,
    commune_code_2025
from core_school__registry
where school_code in (select unnest($school_codes::varchar[]))
