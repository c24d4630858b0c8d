-- Data quality of the exam results per council: the candidate-number range covered, and how
-- many candidates are linked to a school (docs/exams.md "Data quality").
create table if not exists out_exam__quality (
    year smallint not null,
    council_code varchar not null,
    province_code_legacy varchar not null,
    candidates integer not null,
    highest_no integer,                -- the highest candidate number's sequence part
    expected_max_no integer,           -- as the file stated (NULL: not stated)
    stated_coverage double,
    linked integer not null            -- candidates with a registration row
)
