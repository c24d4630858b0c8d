-- Every school of the registry, with the units it is placed in under both schemes, in school
-- code order (the API keeps it for the build: a school's profile, school lists, the
-- indicators of a period's schools).
select * from core_school__registry order by school_code
