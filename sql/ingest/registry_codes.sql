-- Every school code of the registry (built once returns were loaded).
select school_code from core_school__registry
