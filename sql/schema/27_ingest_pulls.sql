-- Pulled sources (issue 16, docs/pulls.md): a run of pulled rows names its source, its kind
-- and the resource (null for a file); what each source gave, its deletions and watermarks.
alter table ingest_runs add column if not exists source_name varchar;
alter table ingest_runs add column if not exists source_kind varchar;
alter table ingest_runs add column if not exists pull_resource varchar;

-- The highest change version a source gave in a completed pull, per resource.
create table if not exists ingest_pull_state (
    source varchar not null,
    resource varchar not null,
    watermark varchar,
    run_id integer,                   -- the last run that stored rows of it
    updated_at timestamptz not null,
    primary key (source, resource)
);

-- What a source gave last for each school and period ('' for the registry): its version and
-- the hash of its text, so an unchanged row goes no further (and drift is measured).
create table if not exists ingest_pulled (
    source varchar not null,
    resource varchar not null,
    school_code varchar not null,
    school_year varchar not null,
    term varchar not null,
    version varchar,
    row_hash varchar not null,
    run_id integer,
    pulled_at timestamptz not null,
    primary key (source, resource, school_code, school_year, term)
);

-- Rows a source says it deleted: recorded, never applied to published history.
create table if not exists ingest_tombstones (
    source varchar not null,
    resource varchar not null,
    school_code varchar not null,
    school_year varchar not null,
    term varchar not null,
    version varchar,
    seen_at timestamptz not null,
    run_id integer
);
