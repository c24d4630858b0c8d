select * exclude (run_id, sheet, source_row) from core_school__period_returns
