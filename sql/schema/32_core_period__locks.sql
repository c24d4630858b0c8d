-- The store's period locks (period_locks), copied with the approvals (ingest/approvals.py):
-- a province's period the Department locked changes only by reopen.
create table if not exists core_period__locks (
    scheme varchar not null,
    province_code varchar not null,
    school_year varchar not null,
    term varchar not null,
    locked_at timestamptz,
    locked_by varchar,
    primary key (scheme, province_code, school_year, term)
);
