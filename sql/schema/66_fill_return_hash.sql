-- The content hash of returns that have none: the rows an ingest just wrote, and those of a
-- snapshot made before issue 17 (return_hash: sql/schema/63_macro_return_hash.sql).
update core_school__period_returns as returns
set content_hash = hashed.content_hash
from (
    select school_code, school_year, term, return_hash(contract) as content_hash
    from (
        select * exclude (run_id, sheet, source_row, content_hash)
        from core_school__period_returns
        where content_hash is null
    ) as contract
) as hashed
where returns.school_code = hashed.school_code
    and returns.school_year = hashed.school_year
    and returns.term = hashed.term
