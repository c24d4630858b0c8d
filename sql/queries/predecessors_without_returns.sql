-- The old provinces (2008-2025 scheme) whose territory a 2025 unit covers and from which no
-- school has ever reported: the unit's figures and its coverage leave them out entirely, so
-- its pages say so. Empty for a unit of the old scheme (it is its own predecessor).
with predecessors as (
    select distinct legacy_province_code as code
    from core_geo__commune_crosswalk
    where $scheme = '2025' and (province_code_2025 = $code or commune_code_2025 = $code)
),

reporting as (
    select distinct province_code_legacy as code
    from core_school__registry
    where province_code_legacy is not null and returns_count > 0
)

select predecessors.code, units.name, units.short_name
from predecessors
inner join core_geo__units as units
    on units.scheme = 'legacy' and units.level = 'province' and units.code = predecessors.code
where predecessors.code not in (select code from reporting)
order by predecessors.code
