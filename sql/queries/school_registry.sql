select * from core_school__registry where school_code = $school_code
