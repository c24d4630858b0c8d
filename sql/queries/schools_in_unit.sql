-- The schools placed in one unit (either scheme, any level), with their registry row.
select registry.*
from core_school__registry as registry
where school_unit(registry, $scheme, $level) = $code
