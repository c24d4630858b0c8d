-- One row per expected (school, period) of the schools in scope (all schools when $all: else
-- those of the provinces given and the schools named in $schools): the expected row (whether
-- a return came, on time), the return's fields (null when none came; its level and ownership
-- as return_level and return_ownership), whether it counts on the official basis
-- (docs/approval.md: approved, and its content the content approved; $approved false when no
-- return is asked about), and the school's places and registry level and ownership. The join
-- of ioc.compute.indicators.join_schools, made here for a snapshot's schools: the fields no
-- indicator or finding reads (names, the return's own codes, coordinates) are left out.
with scope as (
    select school_code from core_school__registry
    where province_code_2025 in (select unnest($provinces_2025))
        or province_code_legacy in (select unnest($provinces_legacy))
        or school_code in (select unnest($schools))
)

select
    expected.school_code,
    expected.school_year,
    expected.term,
    expected.has_return,
    expected.is_on_time,
    returns.* exclude (
        school_code, school_year, term, level, ownership, school_name, province_code,
        district_code, commune_code, latitude, longitude, scheme, run_id, sheet, source_row,
        content_hash
    ),
    returns.level as return_level,
    returns.ownership as return_ownership,
    returns.school_code is not null as is_received,
    $approved and exists (
        select 1 from core_return__approvals as approvals
        where approvals.school_code = returns.school_code
            and approvals.school_year = returns.school_year
            and approvals.term = returns.term
            and approvals.content_hash = returns.content_hash
    ) as is_approved,
    registry.province_code_legacy,
    registry.district_code_legacy,
    registry.commune_code_legacy,
    registry.province_code_2025,
    registry.commune_code_2025,
    registry.level as registry_level,
    registry.ownership as registry_ownership
from core_school__expected as expected
left join core_school__period_returns as returns
    on returns.school_code = expected.school_code
    and returns.school_year = expected.school_year
    and returns.term = expected.term
left join core_school__registry as registry
    on registry.school_code = expected.school_code
where $all or expected.school_code in (select school_code from scope)
