-- One row per paper a candidate sat (papers not taken, -1 in the Ministry's form, have no
-- row): the score as published, 0-10 in steps of 0.01 at most. (year, candidate_no, subject)
-- is unique as a candidate is (70_core_exam__candidates.sql), without an index.
create table if not exists core_exam__scores (
    year smallint not null,
    candidate_no varchar not null,
    subject varchar not null,          -- ioc/catalog/exams.yaml subjects[].code
    score decimal(4, 2) not null
)
