"""Sources that are pulled: what a source is (:mod:`ioc.sources.spec`) and where its
credentials come from (:mod:`ioc.sources.secrets`). The pulling itself is in ``ingest``."""
