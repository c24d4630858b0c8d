-- One page of the school registry for another IOC-EDU instance (GET /api/v1/sync/schools):
-- every school of core_school__registry as a registry record (the fields of
-- ioc.sources.spec.REGISTRY_FIELDS and the scheme of its codes), its place as last reported
-- (or as the pulled registry gives it when it never reported), its status, years and e-mail
-- from the pulled registry (open when not listed there). `_version` is the latest run that
-- wrote the school's returns or its registry row. Paging and parameters as
-- queries/sync_returns (keyset on _version, school_code).
with latest as (
    select
        school_code,
        scheme,
        province_code,
        district_code,
        commune_code,
        max(run_id) over (partition by school_code) as run_id
    from core_school__period_returns
    qualify row_number() over (
        partition by school_code order by period_order(school_year, term) desc
    ) = 1
),

matching as (
    select
        registry.school_code,
        registry.school_name,
        registry.level,
        registry.ownership,
        coalesce(latest.scheme, listed.scheme) as scheme,
        coalesce(latest.province_code, listed.province_code) as province_code,
        case when latest.school_code is not null then latest.district_code
            else listed.district_code end as district_code,
        case when latest.school_code is not null then latest.commune_code
            else listed.commune_code end as commune_code,
        coalesce(listed.status, 'open') as status,
        listed.opened_year,
        listed.closed_year,
        listed.email,
        greatest(latest.run_id, listed.run_id) as _version
    from core_school__registry as registry
    left join latest on registry.school_code = latest.school_code
    left join raw_registry__schools as listed on registry.school_code = listed.school_code
    where $all or registry.school_code in (select unnest(cast($schools as varchar[])))
),

ranked as (
    select *, max(_version) over () as _max_version from matching
    where $since is null or _version >= $since
)

select * from ranked
where $after_version is null
    or _version > $after_version
    or (_version = $after_version and school_code > $after_school_code)
order by _version, school_code
limit $limit + 1
