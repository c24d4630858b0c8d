-- Why a row was rejected: one row per broken rule (a row may break several).
create table if not exists ingest_rejects (
    run_id integer not null,
    sheet varchar,
    source_row integer,
    school_code varchar,
    column_name varchar,              -- the header as written in the file, with its column letter
    field varchar,                    -- canonical field name
    rule varchar not null,
    value varchar,
    message varchar not null,         -- the English message when stored (ioc/catalog/messages.yaml)
    params varchar                    -- JSON: the message's parameters; texts are made when shown
)
