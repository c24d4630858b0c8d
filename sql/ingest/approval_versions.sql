-- The snapshot's approvals with their change version, to keep it for those copied unchanged.
select school_code, school_year, term, content_hash, approved_at, approved_by, sync_version
from core_return__approvals
