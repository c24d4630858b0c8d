-- Schools expected to report in each period: those that reported in it, plus those that
-- reported in the previous period present in the data (a school that stops reporting is a
-- data-quality finding, not a closure). With whether a return came and whether its first
-- receipt was on time ($dn_due / $cn_due: month-day of the due date).
create or replace table core_school__expected as
with returns as (
    select
        school_code,
        school_year,
        term,
        run_id,
        cast(left(school_year, 4) as integer) as first_year
    from core_school__period_returns
),

periods as (
    select
        school_year,
        term,
        lag(school_year) over (order by first_year, term = 'CN') as previous_year,
        lag(term) over (order by first_year, term = 'CN') as previous_term
    from (select distinct school_year, term, first_year from returns)
),

expected as (
    select school_code, school_year, term from returns
    union
    select returns.school_code, periods.school_year, periods.term
    from returns
    inner join periods
        on returns.school_year = periods.previous_year
        and returns.term = periods.previous_term
),

receipts as (
    select returns.school_code, returns.school_year, returns.term, runs.received_date
    from returns
    inner join ingest_runs as runs on returns.run_id = runs.run_id
    union all
    select replaced.school_code, replaced.school_year, replaced.term, runs.received_date
    from ingest_replacements as replaced
    inner join ingest_runs as runs on replaced.previous_run_id = runs.run_id
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
        returns.school_code is not null as has_return,
        first_receipt.first_received_date,
        case
            when expected.term = 'DN'
                then make_date(
                    cast(left(expected.school_year, 4) as integer),
                    cast(left($dn_due, 2) as integer), cast(right($dn_due, 2) as integer)
                )
            else make_date(
                cast(left(expected.school_year, 4) as integer) + 1,
                cast(left($cn_due, 2) as integer), cast(right($cn_due, 2) as integer)
            )
        end as due_date
    from expected
    left join returns
        on expected.school_code = returns.school_code
        and expected.school_year = returns.school_year
        and expected.term = returns.term
    left join first_receipt
        on expected.school_code = first_receipt.school_code
        and expected.school_year = first_receipt.school_year
        and expected.term = first_receipt.term
)

select
    *,
    coalesce(has_return and first_received_date <= due_date, false) as is_on_time
from final
