-- A unit's child units at one level, with names.
select code, name from core_geo__units
where scheme = $scheme and level = $level and parent_code = $code
order by code
