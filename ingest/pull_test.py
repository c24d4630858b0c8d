"""A source tried before it is trusted: the first page of each resource fetched, mapped and
validated as a pull would (a dry run in a scratch directory), nothing stored
(``POST /sources/{name}/test``, ``ioc sources test``)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from ingest.pull import pull
from ingest.pull_errors import error_of
from ingest.sources.base import Fetcher, Page, PullError
from ingest.sources.kinds import fetcher_for
from ioc.config import Settings
from ioc.sources.spec import SourceSpec


class FirstPage:
    """A fetcher that gives only the first page of each resource of another."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self.retries = fetcher.retries

    def pages(
        self, resource: str, since: str | None, resume: dict[str, Any] | None
    ) -> Iterator[Page]:
        for page in self.fetcher.pages(resource, None, None):
            page.last = True
            self.retries = self.fetcher.retries
            yield page
            return

    def close(self) -> None:
        self.fetcher.close()


def check_source(
    spec: SourceSpec,
    secret: Mapping[str, SecretStr],
    settings: Settings,
    fetcher: Fetcher | None = None,
) -> dict[str, Any]:
    """``{"ok", "checks": [{"resource", "ok", "rows", "rejected", "message"}]}``."""
    if fetcher is None and spec.kind != "http-file":
        try:
            fetcher = fetcher_for(spec, secret, settings)
        except PullError as exc:  # e.g. the secret lacks a key its authentication needs
            error = error_of(exc, spec.name)
            checks = [
                {"resource": r, "ok": False, "rows": 0, "rejected": 0, "message": error["en"]}
                for r in spec.resources
            ]
            return {"ok": False, "checks": checks}
    wrapped = None if fetcher is None else FirstPage(fetcher)
    with tempfile.TemporaryDirectory(prefix="source-test-") as scratch:
        report = pull(
            spec, secret, settings, full=True, dry_run=True, fetcher=wrapped, workdir=Path(scratch)
        )
    if fetcher is not None:
        fetcher.close()
    error = report["error"]
    checks = []
    for resource in spec.resources:
        part = report["resources"].get(resource)
        if error is not None and error.get("resource") in (resource, None):
            check = {"ok": False, "rows": 0, "rejected": 0, "message": error["en"]}
        elif part is None:
            check = {"ok": False, "rows": 0, "rejected": 0, "message": "not checked"}
        else:
            rows, rejected = part["fetched"], part["rejected"]
            reasons = ", ".join(f"{k}: {v}" for k, v in part.get("reject_reasons", {}).items())
            check = {
                "ok": rows == 0 or rejected < rows,
                "rows": rows,
                "rejected": rejected,
                "message": f"rejected: {reasons}" if reasons else None,
            }
        checks.append({"resource": resource, **check})
    return {"ok": all(c["ok"] for c in checks), "checks": checks}
