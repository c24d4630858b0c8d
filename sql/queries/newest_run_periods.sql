-- The periods the newest loaded ingest run stored returns in (what a new build most likely
-- changed: the warm-up computes them before the build is served).
select distinct school_year, term
from core_school__period_returns
where run_id = (select max(run_id) from ingest_runs where status = 'loaded')
