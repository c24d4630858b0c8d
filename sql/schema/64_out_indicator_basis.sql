-- Snapshots made before issue 17 hold indicator sums of every return, which was then the
-- official figure: they gain the column `basis` (ioc/compute/out_tables.py writes both
-- bases), and the next rebuild of indicators is a full one (no 'all' rows yet).
alter table if exists out_indicator__sums add column if not exists basis varchar default 'official';
