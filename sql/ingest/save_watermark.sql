-- A resource's new watermark, in the writer session of the rows it covers.
insert into ingest_pull_state
select
    $source,
    $resource,
    $watermark,
    coalesce(
        $run_id,
        (select run_id from ingest_pull_state where source = $source and resource = $resource)
    ),
    now()
on conflict (source, resource) do update
set watermark = excluded.watermark, run_id = excluded.run_id, updated_at = excluded.updated_at
