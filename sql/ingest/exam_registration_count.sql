-- Links of $year the rows of `incoming_registrations` replace.
select count(*) from core_exam__registrations
where year = $year and candidate_no in (select candidate_no from incoming_registrations)
