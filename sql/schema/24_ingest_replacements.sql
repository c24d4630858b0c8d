-- A later return for the same school and period replaces the earlier one; the old values stay here.
create table if not exists ingest_replacements (
    run_id integer not null,
    school_code varchar not null,
    school_year varchar not null,
    term varchar not null,
    previous_run_id integer,
    previous_values json not null
)
