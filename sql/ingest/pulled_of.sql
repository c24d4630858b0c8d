-- What a source gave last for each school and period of a resource.
select school_code, school_year, term, row_hash
from ingest_pulled
where source = $source and resource = $resource
