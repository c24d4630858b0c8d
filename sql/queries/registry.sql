-- Every school of the registry, with the units it is placed in under both schemes.
select * from core_school__registry
