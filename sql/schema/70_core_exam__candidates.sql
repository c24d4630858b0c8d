-- Exam results (docs/exams.md): one row per candidate of the national graduation exam of a
-- year, accepted by an exam ingest run. The council is the candidate number's first two
-- digits (its TinhId), NOT a statistical code; province_code_legacy is the GSO code of the
-- old province the council belongs to (ioc/catalog/exam_councils.yaml). (year, candidate_no)
-- is unique without an index to say so (a national year loads faster and in less memory
-- without one): the ingest rejects a number a file holds twice and replaces a council's
-- candidates of the year whole, and a number's council is its first two digits.
create table if not exists core_exam__candidates (
    year smallint not null,
    candidate_no varchar not null,     -- SBD, 8 digits
    council_code varchar not null,     -- '01'..'64'
    province_code_legacy varchar not null,
    foreign_language varchar,          -- N1..N7, NULL when no foreign-language paper
    run_id integer not null,           -- ingest_runs
    source_row integer
)
