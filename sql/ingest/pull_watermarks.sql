-- The watermark of each resource of a source (docs/pulls.md, "Watermarks and versions").
select resource, watermark
from ingest_pull_state
where source = $source
