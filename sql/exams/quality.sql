-- out_exam__quality of the years rebuilt, per council: candidates, the highest candidate
-- number's sequence part (the six digits after the council's two) against the last number
-- the council's latest file stated, that file's own coverage, and the candidates linked to a
-- school by a registration row.
insert into out_exam__quality by name
with files as (
    select
        year,
        council_code,
        arg_max(expected_max_no, run_id) as expected_max_no,
        arg_max(stated_coverage, run_id) as stated_coverage
    from core_exam__files
    group by all
)

select
    candidates.year,
    candidates.council_code,
    any_value(candidates.province_code_legacy) as province_code_legacy,
    count(*)::integer as candidates,
    max(right(candidates.candidate_no, 6)::integer) as highest_no,
    any_value(files.expected_max_no) as expected_max_no,
    any_value(files.stated_coverage) as stated_coverage,
    count(registrations.candidate_no)::integer as linked
from core_exam__candidates as candidates
left join core_exam__registrations as registrations
    on candidates.year = registrations.year
    and candidates.candidate_no = registrations.candidate_no
left join files
    on candidates.year = files.year and candidates.council_code = files.council_code
where $all or candidates.year in (select unnest($years))
group by candidates.year, candidates.council_code
