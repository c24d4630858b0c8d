insert into core_school__period_returns by name
select * exclude (_sheet, _row), _sheet as sheet, _row as source_row, $run_id as run_id
from stage_returns
