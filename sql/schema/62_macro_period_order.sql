-- A number that grows with time, two per school year (DN then CN): Period.order of
-- ioc/domain/period.py (tests/unit/test_period.py checks it).
create or replace macro period_order(school_year, term) as
    period_first_year(school_year) * 2 + (term = 'CN')::integer
