-- An exam results run replaces what earlier runs loaded for the councils it holds, in its
-- year (docs/exams.md "Replacement"): their papers, candidates and what their files stated.
-- $year, $councils. How many candidates were replaced is counted before (exam_council_count).
delete from core_exam__scores as scores
using core_exam__candidates as candidates
where
    scores.year = $year
    and candidates.year = scores.year
    and candidates.candidate_no = scores.candidate_no
    and list_contains(cast($councils as varchar[]), candidates.council_code);

delete from core_exam__candidates
where year = $year and list_contains(cast($councils as varchar[]), council_code);

delete from core_exam__files
where year = $year and list_contains(cast($councils as varchar[]), council_code);
