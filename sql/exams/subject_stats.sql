-- out_exam__subject_stats of the years rebuilt: the subjects' rows of exam_unit_stats.
insert into out_exam__subject_stats by name
select * exclude (ge15, ge24)
from exam_unit_stats
where subject in (select code from exam_subjects)
