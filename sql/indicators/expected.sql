select school_code, school_year, term, has_return, is_on_time from core_school__expected
