-- The exam years loaded (docs/exams.md), newest first: per year its councils and whether any
-- candidate is linked to a school (school, district and commune figures exist then).
select
    quality.year,
    list(quality.council_code order by quality.council_code) as councils,
    bool_or(quality.linked > 0) as schools_linked
from out_exam__quality as quality
group by quality.year
order by quality.year desc
