-- Staged rows (`hash_stage`, typed as core_school__period_returns) that would change a frozen
-- return (docs/approval.md): an approved one with other content (`approved_return`), or one
-- of a province-period the Department locked, in either scheme (`locked_period`), unless its
-- content is the stored one. The same content sent again is never refused. Dates in
-- $timezone.
with staged as (
    select school_code, school_year, term, return_hash(contract) as content_hash
    from (select * exclude (run_id, sheet, source_row, content_hash) from hash_stage) as contract
),

rows as (
    select
        stage.sheet as _sheet,
        stage.source_row as _row,
        stage.school_code,
        stage.school_year,
        stage.term,
        staged.content_hash,
        approvals.content_hash as approved_hash,
        approvals.approved_at,
        approvals.approved_by,
        stored.content_hash as stored_hash,
        (
            select arg_min(locks, locks.locked_at)
            from core_period__locks as locks
            where locks.school_year = stage.school_year
                and locks.term = stage.term
                and (
                    (locks.scheme = stage.scheme and locks.province_code = stage.province_code)
                    or (locks.scheme = 'legacy' and locks.province_code = registry.province_code_legacy)
                    or (locks.scheme = '2025' and locks.province_code = registry.province_code_2025)
                )
        ) as lock
    from hash_stage as stage
    inner join staged using (school_code, school_year, term)
    left join core_return__approvals as approvals using (school_code, school_year, term)
    left join core_school__period_returns as stored using (school_code, school_year, term)
    left join core_school__registry as registry using (school_code)
)

select
    _sheet,
    _row,
    school_code,
    'school_code' as field,
    case
        when approved_hash is not null and approved_hash <> content_hash then 'approved_return'
        else 'locked_period'
    end as rule,
    school_code as value,
    case
        when approved_hash is not null and approved_hash <> content_hash then json_object(
            'school', school_code,
            'period', school_year || '/' || term,
            'approved_at', strftime(timezone($timezone, approved_at), '%d/%m/%Y'),
            'approved_by', approved_by
        )
        else json_object(
            'school', school_code,
            'period', school_year || '/' || term,
            'province', lock.province_code,
            'locked_at', strftime(timezone($timezone, lock.locked_at), '%d/%m/%Y'),
            'locked_by', lock.locked_by
        )
    end::varchar as params
from rows
where (approved_hash is not null and approved_hash <> content_hash)
    or (lock is not null and content_hash is distinct from stored_hash)
order by _sheet, _row
