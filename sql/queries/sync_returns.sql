-- One page of the published returns for another IOC-EDU instance (GET /api/v1/sync/returns):
-- each with `_version`, the run that wrote it or the later version of its approval
-- (core_return__approvals.sync_version, the same sequence), in the order (_version, school_code,
-- school_year, term), from version $since (inclusive) and after the keyset of the previous
-- page's last row ($after_*; null on the first page), of one period or all ($school_year,
-- $term null), of the schools $schools (every school when $all). When $approved_only, only
-- the approved returns whose content is the content approved (docs/approval.md), each with
-- its approval stamp. `_max_version` is the highest version of every row asked for (all
-- pages). $limit + 1 rows: the last says there is a next page.
with matching as (
    select
        returns.* exclude (scheme, run_id, sheet, source_row, content_hash),
        approvals.approved_at,
        approvals.approved_by,
        greatest(returns.run_id, approvals.sync_version) as _version
    from core_school__period_returns as returns
    left join core_return__approvals as approvals
        on approvals.school_code = returns.school_code
        and approvals.school_year = returns.school_year
        and approvals.term = returns.term
        and approvals.content_hash = returns.content_hash
    where ($all or returns.school_code in (select unnest(cast($schools as varchar[]))))
        and (not $approved_only or approvals.school_code is not null)
        and ($since is null or greatest(returns.run_id, approvals.sync_version) >= $since)
        and ($school_year is null or (returns.school_year = $school_year and returns.term = $term))
),

ranked as (
    select *, max(_version) over () as _max_version from matching
)

select * from ranked
where $after_version is null
    or _version > $after_version
    or (_version = $after_version and school_code > $after_school_code)
    or (
        _version = $after_version
        and school_code = $after_school_code
        and school_year > $after_school_year
    )
    or (
        _version = $after_version
        and school_code = $after_school_code
        and school_year = $after_school_year
        and term > $after_term
    )
order by _version, school_code, school_year, term
limit $limit + 1
