-- The Department's own yearly targets per indicator and unit (ioc targets import).
create table if not exists core_targets (
    indicator_id varchar not null,
    scheme varchar not null,
    unit_code varchar not null,
    school_year varchar not null,
    target_value double not null,
    set_by varchar not null,
    set_at timestamptz not null,
    source_file varchar,
    primary key (indicator_id, scheme, unit_code, school_year)
)
