"""The fetcher of each kind of pulled source (``http-file`` is not paged: see
:func:`ingest.sources.http_file.fetch_file`)."""

from __future__ import annotations

import time
from collections.abc import Mapping

from pydantic import SecretStr

from ingest.sources.base import Fetcher
from ingest.sources.http import Sleep
from ingest.sources.http_json import HttpJsonFetcher
from ingest.sources.ioc_edu import IocEduFetcher
from ioc.config import Settings
from ioc.sources.spec import SourceSpec


def fetcher_for(
    spec: SourceSpec,
    secret: Mapping[str, SecretStr],
    settings: Settings,
    *,
    sleep: Sleep = time.sleep,
) -> Fetcher:
    """The fetcher of an ``http-json`` or ``ioc-edu`` source (ValueError for another kind)."""
    if spec.kind == "http-json":
        return HttpJsonFetcher(spec, secret, settings, sleep=sleep)
    if spec.kind == "ioc-edu":
        return IocEduFetcher(spec, secret, settings, sleep=sleep)
    raise ValueError(f"a {spec.kind} source has no pages: use ingest.sources.http_file")
