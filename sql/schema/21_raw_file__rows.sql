-- Every data row as it arrived (all text, keyed by the file's own headers), never edited.
create table if not exists raw_file__rows (
    run_id integer not null,
    sheet varchar,
    source_row integer not null,
    cells json not null
)
