-- Whether the school registry exists yet (it is built after the first load).
select count(*) > 0 from duckdb_tables() where table_name = 'core_school__registry'
