-- Where the registry places schools, in both unit schemes: the unit codes a review action is
-- checked against (docs/approval.md, "Places"), and the parameters of the messages of rows
-- that would move a school or write outside an account's units. Every school when
-- $school_codes is null, else those of the list.
select
    school_code,
    province_code_legacy,
    district_code_legacy,
    commune_code_legacy,
    province_code_2025,
    commune_code_2025
from core_school__registry
where $school_codes is null or school_code in (select unnest($school_codes::varchar[]))
