-- One row per file an ingest was asked to load, whatever the outcome.
create table if not exists ingest_runs (
    run_id integer primary key,
    source_file varchar not null,     -- path as given
    file_name varchar not null,
    sha256 varchar,
    size_bytes bigint,
    file_format varchar,              -- 'csv' | 'xlsx' | 'xls' | 'ods'
    period_given varchar,             -- the --period option, if any
    strict boolean not null,
    received_date date not null,      -- when the Department received the file
    run_by varchar not null,
    host varchar not null,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    status varchar not null,          -- 'loaded' | 'failed' | 'rejected_strict'
    rows_read integer not null,
    rows_accepted integer not null,
    rows_replaced integer not null,
    rows_rejected integer not null,
    warnings integer not null,
    message varchar                   -- why a failed file failed
)
