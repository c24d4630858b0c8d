-- Candidates already loaded for the councils $councils in $year (those a run replaces).
select count(*) from core_exam__candidates
where year = $year and list_contains(cast($councils as varchar[]), council_code)
