-- The pulled school registry (issue 16): the network of schools as a source holds it, one row
-- per school, written by ingest/registry.py (resource `schools` of a pull). When it has rows,
-- core_school__expected counts its open schools as expected in the periods of their scheme
-- and core_school__registry lists the ones that never sent a return. Empty until a registry
-- is pulled: coverage is then as before (schools that reported, carried forward).
create table if not exists raw_registry__schools (
    school_code varchar primary key,
    school_name varchar not null,
    level varchar not null,            -- contract code (MN, TH, THCS...)
    ownership varchar not null,        -- contract code (cong_lap, tu_thuc, dan_lap)
    scheme varchar not null,           -- 'legacy' | '2025': the unit scheme of the codes below
    province_code varchar not null,
    district_code varchar,             -- legacy scheme only
    commune_code varchar,
    status varchar not null,           -- 'open' | 'closed'
    opened_year varchar,               -- school year it opened, e.g. '2019-2020' (null: always)
    closed_year varchar,               -- school year it closed: not expected from then on
    email varchar,
    source varchar,                    -- the source's name
    version varchar,                   -- the source's change version of the row
    run_id integer,                    -- the ingest run that wrote it
    pulled_at timestamptz
)
