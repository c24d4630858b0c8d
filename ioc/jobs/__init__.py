"""Long work run as jobs (queued, run and recorded by :mod:`ioc.jobs.runner`), each in a
process of its own (:mod:`ioc.jobs.isolated`)."""
