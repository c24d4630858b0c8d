-- Every unit of both schemes with its centroid and search key: what boundary features
-- are matched against (ioc/geo/boundaries.py).
select scheme, level, code, name, short_name, parent_code, latitude, longitude, search_key
from core_geo__units
order by scheme, level, code
