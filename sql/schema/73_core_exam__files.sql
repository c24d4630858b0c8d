-- What each loaded results file says of itself (the shared JSON form carries the council's
-- highest expected candidate number and its own coverage): for the data-quality view.
create table if not exists core_exam__files (
    year smallint not null,
    council_code varchar not null,
    run_id integer not null,
    expected_max_no integer,           -- expected_max_sbd, the range's last number
    stated_records integer,            -- total_records
    stated_coverage double,            -- coverage_percentage, as stated
    exported_at timestamp              -- export_time
)
