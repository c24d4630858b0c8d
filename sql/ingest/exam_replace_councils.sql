-- An exam results run replaces what earlier runs loaded for the councils it holds, in its
-- year (docs/exams.md "Replacement"): their papers, candidates and what their files stated.
-- $year, $councils. How many candidates were replaced is counted before (exam_council_count).
-- A candidate's council is the first two digits of its number: the papers are found without
-- a join.
delete from core_exam__scores
where year = $year and list_contains(cast($councils as varchar[]), left(candidate_no, 2));

delete from core_exam__candidates
where year = $year and list_contains(cast($councils as varchar[]), council_code);

delete from core_exam__files
where year = $year and list_contains(cast($councils as varchar[]), council_code);
