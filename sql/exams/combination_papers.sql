-- The papers of the admission combinations' subjects (exam_combinations) of the years
-- rebuilt, in hundredths: ioc.exams.stats adds up each candidate's combinations from them.
select year, candidate_no, subject, (score * 100)::smallint as hundredths
from core_exam__scores
where
    ($all or year in (select unnest($years)))
    and subject in (select subject from exam_combinations)
