"""An ``ioc-edu`` source: another IOC-EDU instance read through its sync API
(``GET {base_url}/api/v1/sync/{resource}?since=V&after=C&limit=N``, docs/pulls.md "Sync")
with a bearer token (the secret's ``token``). Its records already hold the contract's (or the
registry's) fields as text; ``_version`` (the run id that wrote the row) is the change
version, so no mapping is needed."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import SecretStr

from ingest.sources.auth import signer_for
from ingest.sources.base import Page
from ingest.sources.http import At, Http, OverHttp, Sleep
from ingest.sources.http_json import as_text
from ioc.config import Settings
from ioc.sources.spec import Auth, SourceSpec

PAGE_SIZE = 1000
PATH = "/api/v1/sync/{resource}"


class IocEduFetcher(OverHttp):
    """The pages of another instance's returns or registry (the :class:`Fetcher` protocol)."""

    def __init__(
        self,
        spec: SourceSpec,
        secret: Mapping[str, SecretStr],
        settings: Settings,
        *,
        sleep: Sleep = time.sleep,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.spec, self.page_size = spec, page_size
        signer = signer_for(Auth(type="bearer"), spec.name, spec.secret, secret, spec.base_url)
        self.http = Http(spec.name, settings, signer, sleep=sleep)

    def pages(
        self, resource: str, since: str | None, resume: dict[str, Any] | None
    ) -> Iterator[Page]:
        state: dict[str, Any] = dict(resume or {})
        state.setdefault("since", since)  # a resumed pull keeps the since it started with
        number = int(state.get("number", 0))
        url = self.spec.base_url + PATH.format(resource=resource)
        while True:
            number += 1
            at = At(resource, number)
            params = {"limit": str(self.page_size)}
            if state["since"] is not None:
                params["since"] = str(state["since"])
            if state.get("after"):
                params["after"] = str(state["after"])
            body = self.http.get(url, at, params=params).json(self.http, at)
            items = body.get("items") if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise self.http.error("no_records", at, path="items")
            page = Page(number=number, rows=[], versions=[])
            for index, item in enumerate(items, start=1):
                if not isinstance(item, dict):
                    raise self.http.error("record_not_object", at, index=index, path="items")
                row = {k: v if v is None or type(v) is str else as_text(v) for k, v in item.items()}
                page.versions.append(as_text(row.pop("_version", None)))
                page.rows.append({k: v for k, v in row.items() if not k.startswith("_")})
            if "next" not in body:
                raise self.http.error("no_cursor", at, path="next")
            state["after"], state["number"] = body["next"], number
            page.last, page.resume = not body["next"], dict(state)
            yield page
            if page.last:
                return
