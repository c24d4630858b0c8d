-- Per unit and admission combination: candidates who sat all three papers (in the
-- combination's language when it names one), the mean, median and spread of their totals.
create table if not exists out_exam__combination_stats (
    year smallint not null,
    scheme varchar not null,
    level varchar not null,
    unit_code varchar not null,
    combination varchar not null,      -- A00, A01, B00, C00, D01
    candidates integer not null,
    mean double,
    median double,
    sd double,
    ge15 integer not null,             -- totals >= 15
    ge24 integer not null              -- totals >= 24
)
