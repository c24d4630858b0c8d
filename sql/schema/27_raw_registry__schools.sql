-- The pulled network of schools (resource ``schools`` of a source; ingest/registry.py).
create table if not exists raw_registry__schools (
    school_code varchar primary key,
    school_name varchar,
    level varchar,
    ownership varchar,
    scheme varchar not null,          -- the unit scheme of its place codes
    province_code varchar,
    district_code varchar,
    commune_code varchar,
    status varchar not null,          -- 'open' | 'closed'
    opened_year varchar,
    closed_year varchar,
    email varchar,
    source varchar not null,
    version varchar,
    run_id integer,
    pulled_at timestamptz not null
)
