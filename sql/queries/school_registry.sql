-- Every school's registry row, in school code order: a school's profile (the API keeps it
-- for the build, indexed by school code).
select * from core_school__registry order by school_code
