-- A registration run's accepted rows (`incoming_registrations`): each replaces the
-- candidate's earlier link of the year. $year, $run_id.
delete from core_exam__registrations
where year = $year and candidate_no in (select candidate_no from incoming_registrations);

insert into core_exam__registrations by name
select
    cast($year as smallint) as year,
    candidate_no,
    school_code,
    cast($run_id as integer) as run_id
from incoming_registrations;
