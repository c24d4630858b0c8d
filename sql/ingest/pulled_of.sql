-- What a source gave last for each school and period of a resource: of every school when
-- $all (a full pull compares everything), else of the schools in $schools (a delta's rows).
select school_code, school_year, term, row_hash
from ingest_pulled
where source = $source
    and resource = $resource
    and ($all or school_code in (select unnest($schools)))
