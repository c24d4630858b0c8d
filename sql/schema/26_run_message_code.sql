-- A run's message as its catalog code and parameters (files of ioc/catalog/messages.yaml),
-- shown in Vietnamese or English; `message` keeps the English text (issue 15).
alter table ingest_runs add column if not exists message_code varchar;
alter table ingest_runs add column if not exists message_params varchar;
