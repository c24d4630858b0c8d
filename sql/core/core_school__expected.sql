-- Schools expected to report in each period: those that reported in it, plus those that
-- reported in the last earlier period in which their old province (the predecessor of a 2025
-- province) reported at all: a school that stops reporting is a data-quality finding, not a
-- closure, and an old province that skips a period stays expected in full. With whether a
-- return came and whether its first receipt was on time ($dn_due / $cn_due: month-day of the
-- due date).
-- When a school registry has been pulled (raw_registry__schools has rows), it defines the
-- schools it lists: an open school is expected in every period of the scheme its place is
-- coded in from its opened_year (always when null) and before its closed_year, a closed one
-- not after it closed (nor at all without a closed_year), and the carrying forward above no
-- longer applies to them. Schools it does not list keep the rule above; any return makes its
-- school expected in its period. An empty registry changes nothing.
-- Rows of every school when $all, else only of those in $schools (what periods exist and in
-- which periods each old province reported are taken from every return either way; the
-- runner rebuilds everything when those change: see legacy_province).
with all_returns as (
    select
        school_code,
        school_year,
        term,
        run_id,
        scheme,
        province_code,
        commune_code,
        period_order(school_year, term) as period_order
    from core_school__period_returns
),

-- a school's old province: reported (latest), else through its 2025 commune
school_province as (
    select
        school_code,
        coalesce(
            arg_max(province_code, period_order) filter (where scheme = 'legacy'),
            min(crosswalk.legacy_province_code)
        ) as province
    from all_returns
    left join core_geo__commune_crosswalk as crosswalk
        on all_returns.scheme = '2025' and all_returns.commune_code = crosswalk.commune_code_2025
    group by school_code
),

returns as (
    select all_returns.*, coalesce(school_province.province, '') as province
    from all_returns
    inner join school_province on all_returns.school_code = school_province.school_code
),

chosen as (
    select * from returns where $all or school_code in (select unnest($schools))
),

periods as (
    select distinct school_year, term, period_order from returns
),

-- the scheme of a period is the one its returns are coded in
period_schemes as (
    select school_year, term, any_value(scheme) as scheme from returns group by all
),

listed as (
    select school_code, scheme, status, opened_year, closed_year from raw_registry__schools
    where $all or school_code in (select unnest($schools))
),

listed_expected as (
    select listed.school_code, period_schemes.school_year, period_schemes.term
    from listed
    inner join period_schemes on listed.scheme = period_schemes.scheme
    where (listed.status = 'open' or listed.closed_year is not null)
        and (
            listed.opened_year is null
            or period_first_year(period_schemes.school_year)
            >= period_first_year(listed.opened_year)
        )
        and (
            listed.closed_year is null
            or period_first_year(period_schemes.school_year)
            < period_first_year(listed.closed_year)
        )
),

province_periods as (
    select distinct province, period_order from returns
),

previous as (
    select periods.school_year, periods.term, province_periods.province,
        max(province_periods.period_order) as last_order
    from periods
    inner join province_periods on province_periods.period_order < periods.period_order
    group by all
),

expected as (
    select school_code, school_year, term from chosen
    union
    select chosen.school_code, previous.school_year, previous.term
    from previous
    inner join chosen
        on chosen.province = previous.province
        and chosen.period_order = previous.last_order
    anti join listed on chosen.school_code = listed.school_code
    union
    select school_code, school_year, term from listed_expected
),

receipts as (
    select chosen.school_code, chosen.school_year, chosen.term, runs.received_date
    from chosen
    inner join ingest_runs as runs on chosen.run_id = runs.run_id
    union all
    select replaced.school_code, replaced.school_year, replaced.term, runs.received_date
    from ingest_replacements as replaced
    inner join ingest_runs as runs on replaced.previous_run_id = runs.run_id
    where $all or replaced.school_code in (select unnest($schools))
),

first_receipt as (
    select school_code, school_year, term, min(received_date) as first_received_date
    from receipts
    group by all
),

final as (
    select
        expected.school_code,
        expected.school_year,
        expected.term,
        chosen.school_code is not null as has_return,
        -- the old province the school's returns count under (null: no return this period);
        -- which periods each province reported in is what every school's rows depend on
        chosen.province as legacy_province,
        first_receipt.first_received_date,
        case
            when expected.term = 'DN'
                then make_date(
                    period_first_year(expected.school_year),
                    cast(left($dn_due, 2) as integer), cast(right($dn_due, 2) as integer)
                )
            else make_date(
                period_first_year(expected.school_year) + 1,
                cast(left($cn_due, 2) as integer), cast(right($cn_due, 2) as integer)
            )
        end as due_date
    from expected
    left join chosen
        on expected.school_code = chosen.school_code
        and expected.school_year = chosen.school_year
        and expected.term = chosen.term
    left join first_receipt
        on expected.school_code = first_receipt.school_code
        and expected.school_year = first_receipt.school_year
        and expected.term = first_receipt.term
)

select
    *,
    coalesce(has_return and first_received_date <= due_date, false) as is_on_time
from final
