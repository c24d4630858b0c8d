"""Exam results and registrations in (issue 20, docs/exams.md "Ingest"): read a file
(:mod:`ingest.exams.read`), check its rows (:mod:`ingest.exams.validate`), store them as runs
and rebuild the statistics (:mod:`ingest.exams.load`)."""
