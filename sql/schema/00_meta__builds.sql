-- One row per published snapshot; the newest build_id identifies what readers see.
create table if not exists meta__builds (
    build_id varchar primary key,
    built_at timestamptz not null
)
