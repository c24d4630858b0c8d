-- What a run loaded: 'returns' (the schools' statistics returns, every run before issue 20)
-- or 'exam' / 'exam_registrations' (docs/exams.md). Readers of returns' runs filter on it.
alter table ingest_runs add column if not exists kind varchar default 'returns';
