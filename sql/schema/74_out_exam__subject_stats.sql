-- Per unit and subject (docs/exams.md "Statistics"): computed from the candidates' papers
-- (never from averages of smaller units). level: province | district (legacy) | commune
-- (2025) | school; district, commune and school rows count linked candidates only.
create table if not exists out_exam__subject_stats (
    year smallint not null,
    scheme varchar not null,           -- 'legacy' | '2025'
    level varchar not null,
    unit_code varchar not null,        -- a unit code, or the school code at level 'school'
    subject varchar not null,
    candidates integer not null,       -- papers sat
    mean double,
    median double,
    sd double,                         -- population standard deviation
    ge5 integer not null,              -- papers >= 5
    ge8 integer not null,              -- papers >= 8
    eq10 integer not null,             -- papers = 10
    failing integer not null,          -- papers <= failing_max (1.0): điểm liệt
    off_grid integer not null          -- papers off the subject's usual grid (kept, warned)
)
