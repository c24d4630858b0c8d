-- The accepted candidates of a run (the frame `incoming_candidates`, ingest/exams/load.py)
-- and their papers (`incoming_scores`: the candidate number and one column per subject, NULL
-- for a paper not taken; unpivoted here, one row per paper sat).
insert into core_exam__candidates by name
select
    cast($year as smallint) as year,
    candidate_no,
    council_code,
    province_code_legacy,
    foreign_language,
    cast($run_id as integer) as run_id,
    _row as source_row
from incoming_candidates;

insert into core_exam__scores by name
select
    cast($year as smallint) as year,
    candidate_no,
    subject,
    cast(score as decimal(4, 2)) as score
from (
    unpivot incoming_scores
    on columns(* exclude (candidate_no))
    into name subject value score
);
