select * from core_school__registry
