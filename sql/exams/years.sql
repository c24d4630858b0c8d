-- The years whose exam results are loaded, latest first.
select distinct year from out_exam__quality order by year desc
