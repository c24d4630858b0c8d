-- The fingerprint of the sql/schema files a snapshot was last written with (one row): a
-- snapshot written by an older version is brought up to date when the server starts.
create table if not exists meta__schema (
    fingerprint varchar not null
)
