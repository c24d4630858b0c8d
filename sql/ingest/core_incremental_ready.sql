-- Whether the core tables can be updated school by school: both built, by the present shape.
select count(*) = 2
from duckdb_columns()
where (table_name = 'core_school__expected' and column_name = 'legacy_province')
    or (table_name = 'core_school__registry' and column_name = 'school_code')
