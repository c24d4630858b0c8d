-- How long each step of a build took (read by `make bench` and, later, the health endpoint).
create table if not exists meta__build_steps (
    finished_at timestamptz not null,
    step varchar not null,            -- e.g. 'indicators'
    mode varchar not null,            -- 'full' | 'incremental' | 'difference' (indicators)
    detail varchar,                   -- e.g. the provinces recomputed
    seconds double not null,
    row_count bigint not null
)
