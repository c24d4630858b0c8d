"""An ``http-file`` source: a URL serving a return file (CSV, XLSX, XLS, ODS), downloaded
with a conditional GET (``If-None-Match`` for an ETag validator, ``If-Modified-Since`` for a
Last-Modified one) and streamed to disk within the size limit, with the retries of every
source; the file runner reads it like an uploaded one."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from pydantic import SecretStr

from ingest.sources.auth import signer_for
from ingest.sources.base import PullError
from ingest.sources.http import At, Http, Sleep
from ioc.config import Settings
from ioc.sources.spec import FileMapping, SourceSpec

DEFAULT_NAME = "return-file"
SAFE = re.compile(r"[^\w.\- ]+")
EXTENDED = re.compile(r"filename\*\s*=\s*([^']*)'[^']*'([^;]+)", re.I)
PLAIN = re.compile(r'filename\s*=\s*(?:"([^"]*)"|([^;]+))', re.I)


@dataclass(frozen=True)
class FetchedFile:
    path: Path | None  # the downloaded file (None when unchanged)
    validator: str | None  # the new watermark: its ETag, else its Last-Modified
    unchanged: bool  # 304: the file is the one pulled last time
    retries: int = 0


def fetch_file(
    spec: SourceSpec,
    secret: Mapping[str, SecretStr],
    settings: Settings,
    validator: str | None,
    dest_dir: Path,
    *,
    sleep: Sleep = time.sleep,
) -> FetchedFile:
    """The source's file, unless its ``validator`` (the watermark of the last pull) says it
    has not changed; :class:`PullError` when it cannot be had."""
    mapping = spec.mapping
    if not isinstance(mapping, FileMapping):
        raise PullError("no_mapping", spec.name, resource="returns", name="returns")
    signer = signer_for(mapping.auth, spec.name, spec.secret, secret, spec.base_url)
    http = Http(spec.name, settings, signer, sleep=sleep)
    url = f"{spec.base_url}/{mapping.path.lstrip('/')}"
    headers = conditional(validator)
    dest_dir.mkdir(parents=True, exist_ok=True)
    part = dest_dir / f".{spec.name}.download"
    try:
        reply = http.download(url, At("returns", 1), part, headers=headers)
    finally:
        http.close()
    if reply.status == 304:
        return FetchedFile(None, validator, unchanged=True, retries=http.retries)
    name = file_name(reply.headers.get("content-disposition"), reply.url.path)
    path = dest_dir / name
    part.replace(path)
    new = reply.headers.get("etag") or reply.headers.get("last-modified")
    return FetchedFile(path, new, unchanged=False, retries=http.retries)


def conditional(validator: str | None) -> dict[str, str]:
    """The headers of a conditional GET: an ETag (quoted, or weak ``W/"..."``) goes in
    ``If-None-Match``, a date in ``If-Modified-Since``."""
    if not validator:
        return {}
    if validator.startswith(('"', "W/")):
        return {"If-None-Match": validator}
    return {"If-Modified-Since": validator}


def file_name(disposition: str | None, url_path: str) -> str:
    """The file's name: ``Content-Disposition`` (``filename*`` before ``filename``), else the
    URL path's last part; only its base name, made safe."""
    name = ""
    extended = EXTENDED.search(disposition or "")
    plain = PLAIN.search(disposition or "")
    if extended:
        try:
            name = unquote(extended[2].strip(), encoding=extended[1] or "utf-8", errors="strict")
        except (LookupError, UnicodeDecodeError):
            name = ""
    if not name and plain:
        name = plain[1] if plain[1] is not None else plain[2].strip()
    if not name:
        name = unquote(PurePosixPath(url_path).name)
    name = SAFE.sub("_", PurePosixPath(name.replace("\\", "/")).name).strip(" .")
    return name or DEFAULT_NAME
