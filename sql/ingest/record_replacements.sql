-- Keep the values a new return replaces (same school and period, loaded earlier).
insert into ingest_replacements
select
    $run_id as run_id,
    old.school_code,
    old.school_year,
    old.term,
    old.run_id as previous_run_id,
    to_json(old) as previous_values
from core_school__period_returns as old
inner join stage_returns as new
    on old.school_code = new.school_code
    and old.school_year = new.school_year
    and old.term = new.term
