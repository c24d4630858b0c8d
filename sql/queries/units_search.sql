-- Units by scheme/level/parent, or searched by name with or without diacritics ($q is
-- already lower-cased and stripped of diacritics by the caller). When $restricted, only
-- the units listed in $allowed_schemes/$allowed_codes (the caller's scope).
with allowed as (
    select unnest($allowed_schemes) as scheme, unnest($allowed_codes) as code
)

select scheme, level, code, name, short_name, unit_type, parent_code, province_code,
    district_code, latitude, longitude
from core_geo__units as units
where ($scheme is null or scheme = $scheme)
    and ($level is null or level = $level)
    and ($parent is null or parent_code = $parent)
    and ($province is null or province_code = $province)
    and ($q is null or search_key like '%' || $q || '%')
    and (not $restricted or exists (
        select 1 from allowed where allowed.scheme = units.scheme and allowed.code = units.code
    ))
order by scheme, level, code
limit $limit
