-- The store's approved reviews (return_reviews, state 'approved'), copied by every writer
-- session that builds (ingest/approvals.py): a return counts in official figures when its
-- content_hash equals the one approved here (docs/approval.md).
create table if not exists core_return__approvals (
    school_code varchar not null,
    school_year varchar not null,
    term varchar not null,
    content_hash varchar not null,
    approved_at timestamptz,
    approved_by varchar,
    primary key (school_code, school_year, term)
);

-- The change version of an approval (GET /api/v1/sync/returns pages by it): the next run id
-- of the writer session that first copied it or its change, so a return approved after a
-- puller's watermark reaches the next delta pull.
alter table core_return__approvals add column if not exists sync_version integer;
