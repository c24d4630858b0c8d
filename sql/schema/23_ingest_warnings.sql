-- Findings that keep the row (flagged in data quality).
create table if not exists ingest_warnings (
    run_id integer not null,
    sheet varchar,
    source_row integer,
    school_code varchar,
    column_name varchar,
    field varchar,
    rule varchar not null,
    value varchar,
    message varchar not null,         -- the English message when stored (ioc/catalog/messages.yaml)
    params varchar                    -- JSON: the message's parameters; texts are made when shown
)
