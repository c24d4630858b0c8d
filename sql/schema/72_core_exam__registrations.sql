-- The Department's registration list: which school each candidate sat for (optional; when a
-- candidate has a row here, school, old district and 2025 commune figures include it).
create table if not exists core_exam__registrations (
    year smallint not null,
    candidate_no varchar not null,
    school_code varchar not null,      -- core_school__registry
    run_id integer not null,
    primary key (year, candidate_no)
)
