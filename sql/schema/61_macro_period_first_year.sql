-- The first calendar year of a school year ('2024-2025' -> 2024): Period.first_year of
-- ioc/domain/period.py, the one home of the period rules (tests/unit/test_period.py checks it).
create or replace macro period_first_year(school_year) as
    cast(left(school_year, 4) as integer)
