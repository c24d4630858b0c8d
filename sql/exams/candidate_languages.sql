-- Each candidate's foreign language (NULL: none) for the years rebuilt.
select year, candidate_no, foreign_language
from core_exam__candidates
where $all or year in (select unnest($years))
