-- The returns the snapshot holds approved (to tell whether the store's approvals changed them).
select school_code, school_year, term, content_hash
from core_return__approvals
