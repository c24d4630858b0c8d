-- The old provinces (2008-2025 scheme) whose territory a 2025 unit covers and from which no
-- school has ever reported: the unit's figures and its coverage leave them out entirely, so
-- its pages say so. One row per 2025 unit (unit_code: a province or a commune) and such old
-- province; $code limits it to one 2025 unit (null: every one). A unit of the old scheme has
-- none (it is its own predecessor): the callers do not ask.
with predecessors as (
    select distinct unit_code, code
    from (
        select
            unnest([province_code_2025, commune_code_2025]) as unit_code,
            legacy_province_code as code
        from core_geo__commune_crosswalk
    )
    where unit_code is not null and ($code is null or unit_code = $code)
),

reporting as (
    select distinct province_code_legacy as code
    from core_school__registry
    where province_code_legacy is not null and returns_count > 0
)

select predecessors.unit_code, predecessors.code, units.name, units.short_name
from predecessors
inner join core_geo__units as units
    on units.scheme = 'legacy' and units.level = 'province' and units.code = predecessors.code
where predecessors.code not in (select code from reporting)
order by predecessors.unit_code, predecessors.code
