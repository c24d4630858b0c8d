-- The ALTERs of the files that follow (30, 63) cannot run on a table with an index: the index
-- of returns by school (67_index_period_returns_school.sql) is made again after them. The
-- schema is applied only when it changed (ioc.db.writer).
drop index if exists period_returns_school;
