-- Findings and ingest warnings of some schools ($school_codes), every period.
-- params: the message's parameters, its texts are made from the catalog when shown.
select school_code, school_year, term, rule, field, value, message, params
from out_quality__findings
where school_code in (select unnest($school_codes))
union all
select warnings.school_code, returns.school_year, returns.term, 'warning:' || warnings.rule,
    warnings.field, warnings.value, warnings.message, warnings.params
from ingest_warnings as warnings
inner join core_school__period_returns as returns
    on warnings.run_id = returns.run_id
    and warnings.sheet is not distinct from returns.sheet
    and warnings.source_row = returns.source_row
where warnings.school_code in (select unnest($school_codes))
order by school_code, school_year, term, rule
