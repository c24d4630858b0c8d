"""One HTTP client for every kind of pulled source (:mod:`ingest.sources.kinds`): connect and
read time-outs, retries of 429, 5xx and network errors with exponential backoff and full
jitter (``Retry-After`` honoured on 429 and 503), bodies refused while streaming when larger
than the limit, and every way of giving up a :class:`PullError` naming the source, the
resource and the page.

Credentials are put on a request by the transport (:class:`_Signing`), after httpx has built
it and below the layer that logs it: httpx's log lines, our own and every exception show the
request as it was before, and our lines show URLs without their query string.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from ingest.sources.base import PullError
from ioc.config import Settings
from ioc.sources.spec import SourceSpec

log = logging.getLogger(__name__)
Sleep = Callable[[float], None]
SIGN = "ioc_sign"  # request extension: the origin the request may carry credentials to


@dataclass(frozen=True)
class At:
    """Where a request belongs in a pull (for its errors)."""

    resource: str | None = None
    page: int | None = None


class Signer(Protocol):
    """What authenticates requests (:mod:`ingest.sources.auth`)."""

    secret_name: str

    def secrets(self) -> list[SecretStr]: ...  # every value it may send (to mask in logs)

    def prepare(self, http: Http, at: At) -> None: ...  # credentials ready (e.g. a token)

    def sign(self, request: httpx.Request) -> httpx.Request: ...

    def refresh(self) -> bool: ...  # after a 401/403: True when a new attempt may succeed


@dataclass
class Reply:
    status: int
    headers: httpx.Headers
    url: httpx.URL  # as asked, without credentials
    content: bytes = b""

    def json(self, http: Http, at: At) -> Any:
        try:
            return json.loads(self.content)
        except ValueError:
            kind = self.headers.get("content-type", "?").split(";")[0]
            raise http.error("not_json", at, path=self.url.path, content_type=kind) from None


def bare(url: httpx.URL | str) -> str:
    """A URL as it is logged and shown: without its query string (nor user info)."""
    url = httpx.URL(str(url))
    return str(url.copy_with(query=None, fragment=None, username=None, password=None))


def origin(url: httpx.URL | str) -> str:
    url = httpx.URL(str(url))
    return f"{url.scheme}://{url.host}:{url.port or (443 if url.scheme == 'https' else 80)}"


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); None when
    absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class _Mask(logging.Filter):
    """Masks the credentials of the open clients in the lines of httpx and httpcore (whose
    debug lines show response headers: a vendor may echo an API key in a ``Link``)."""

    LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", __name__)

    def __init__(self) -> None:
        super().__init__()
        self.signers: dict[int, Signer] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.signers:
            return True
        text = masked = record.getMessage()
        for signer in list(self.signers.values()):
            for value in signer.secrets():
                raw = value.get_secret_value()
                for form in {raw, quote(raw, safe="")} if raw else ():
                    masked = masked.replace(form, "***")
        if masked != text:
            record.msg, record.args = masked, ()
        return True


MASK = _Mask()
for _name in _Mask.LOGGERS:
    logging.getLogger(_name).addFilter(MASK)


class _Signing(httpx.BaseTransport):
    """Puts the credentials on requests marked for signing, for their own origin only (a
    redirect elsewhere goes without them)."""

    def __init__(self, inner: httpx.BaseTransport, http: Http) -> None:
        self.inner, self.http = inner, http

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        allowed = request.extensions.get(SIGN)
        signer = self.http.signer
        if signer is not None and allowed and origin(request.url) == allowed:
            request = signer.sign(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class _Retry(Exception):
    """An attempt that may be tried again: why, and how long to wait first."""

    def __init__(self, code: str, delay: float, **params: Any) -> None:
        super().__init__(code)
        self.code, self.delay = code, delay
        self.params: dict[str, Any] = params


class Http:
    """Requests of one source. ``retries`` counts the requests retried so far."""

    def __init__(
        self,
        source: str,
        settings: Settings,
        signer: Signer | None = None,
        *,
        sleep: Sleep = time.sleep,
        jitter: Callable[[], float] = random.random,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.source, self.settings, self.signer = source, settings, signer
        self.sleep, self.jitter = sleep, jitter
        self.retries = 0
        timeout = httpx.Timeout(
            settings.sources_read_timeout, connect=settings.sources_connect_timeout
        )
        inner = transport or httpx.HTTPTransport()
        self._client = httpx.Client(
            transport=_Signing(inner, self), timeout=timeout, follow_redirects=True
        )
        if signer is not None:
            MASK.signers[id(self)] = signer

    def __repr__(self) -> str:
        return f"Http(source={self.source!r}, retries={self.retries})"

    def close(self) -> None:
        self._client.close()
        MASK.signers.pop(id(self), None)

    def error(self, code: str, at: At, *, field: str | None = None, **params: object) -> PullError:
        return PullError(
            code, self.source, resource=at.resource, page=at.page, field=field, **params
        )

    # -- what the kinds call -------------------------------------------------------------
    def get(self, url: str, at: At, *, params: dict[str, str] | None = None) -> Reply:
        """A signed GET whose body is read whole (within the size limit)."""
        return self._send("GET", url, at, params=params, keep=self._read)

    def post_form(self, url: str, at: At, form: Callable[[], dict[str, str]]) -> Reply:
        """An unsigned form POST (a token request: ``form`` is called at the moment of
        sending, so the credentials it holds live no longer); 400/401/403 are wrong
        credentials."""
        return self._send("POST", url, at, form=form, keep=self._read, signed=False)

    def download(
        self, url: str, at: At, dest: Path, *, headers: dict[str, str] | None = None
    ) -> Reply:
        """A signed GET streamed to ``dest`` within the size limit (nothing written on 304)."""

        def keep(response: httpx.Response, at: At) -> bytes:
            if response.status_code == 304:
                return b""
            part = dest.with_name(dest.name + ".part")
            try:
                with part.open("wb") as fh:
                    for chunk in self._chunks(response, at):
                        fh.write(chunk)
                part.replace(dest)
            finally:
                part.unlink(missing_ok=True)
            return b""

        return self._send("GET", url, at, headers=headers, keep=keep)

    # -- the loop ------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        url: str,
        at: At,
        *,
        keep: Callable[[httpx.Response, At], bytes],
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        form: Callable[[], dict[str, str]] | None = None,
        signed: bool = True,
    ) -> Reply:
        attempt, reauthenticated = 0, False
        while True:
            if signed and self.signer is not None:
                self.signer.prepare(self, at)
            try:
                request = (method, url, params, headers, form, signed)
                with self._attempt(request, attempt) as response:
                    status = response.status_code
                    if status in (401, 403) or (status == 400 and not signed):
                        renew = signed and self.signer is not None and not reauthenticated
                        if renew and self.signer is not None and self.signer.refresh():
                            reauthenticated = True  # one new token, one more attempt
                            continue
                        raise self._refused(at, status)
                    self._check(response, at, attempt)
                    content = keep(response, at)
                    return Reply(status, response.headers, response.request.url, content)
            except _Retry as retry:
                if attempt >= self.settings.sources_retries:
                    raise self.error(retry.code, at, retries=attempt, **retry.params) from None
                attempt += 1
                self.retries += 1
                log.info(
                    "source %s: %s %s: %s, retry %d in %.2f s",
                    self.source,
                    method,
                    bare(url),
                    retry.params.get("status", retry.code),
                    attempt,
                    retry.delay,
                )
                self.sleep(retry.delay)

    @contextmanager
    def _attempt(self, request: tuple[Any, ...], attempt: int) -> Iterator[httpx.Response]:
        """One request (method, url, params, headers, form, signed), its network errors
        (while connecting or reading the body) turned into :class:`_Retry`."""
        method, url, params, headers, form, signed = request
        extensions = {SIGN: origin(url)} if signed else {}
        host = httpx.URL(url).host
        try:
            with self._client.stream(
                method,
                url,
                params=params or None,  # {} would drop the query of a next link
                headers=headers,
                data=form() if form else None,
                extensions=extensions,
            ) as response:
                log.debug(
                    "source %s: %s %s -> %d", self.source, method, bare(url), response.status_code
                )
                yield response
        except httpx.TimeoutException as exc:
            seconds = (
                self.settings.sources_connect_timeout
                if isinstance(exc, httpx.ConnectTimeout)
                else self.settings.sources_read_timeout
            )
            raise _Retry("timeout", self._backoff(attempt), host=host, seconds=seconds) from None
        except httpx.TransportError:
            raise _Retry("unreachable", self._backoff(attempt), host=host) from None

    def _check(self, response: httpx.Response, at: At, attempt: int) -> None:
        status = response.status_code
        if status == 404:
            raise self.error("wrong_path", at, path=response.request.url.path)
        if status == 429 or status >= 500:
            wait = (
                retry_after(response.headers.get("retry-after")) if status in (429, 503) else None
            )
            cap = self.settings.sources_max_backoff_seconds
            delay = min(wait, cap) if wait is not None else self._backoff(attempt)
            raise _Retry("too_many_retries", delay, status=status)
        if status >= 400:
            raise self.error("http_status", at, status=status, path=response.request.url.path)

    def _backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to the base doubled per retry, capped."""
        base, cap = self.settings.sources_backoff_seconds, self.settings.sources_max_backoff_seconds
        return self.jitter() * min(cap, base * 2**attempt)

    def _refused(self, at: At, status: int) -> PullError:
        secret = self.signer.secret_name if self.signer is not None else "-"
        return self.error("wrong_credentials", at, status=status, secret=secret)

    def _read(self, response: httpx.Response, at: At) -> bytes:
        return b"".join(self._chunks(response, at))

    def _chunks(self, response: httpx.Response, at: At) -> Iterator[bytes]:
        limit = self.settings.sources_max_response_bytes
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise self.error("body_too_large", at, limit=limit)
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise self.error("body_too_large", at, limit=limit)
            yield chunk


class OverHttp:
    """What every fetcher over HTTP shares: its source, its client (whose retries it
    counts, carried on by a resumed pull) and closing it."""

    spec: SourceSpec
    http: Http

    def __repr__(self) -> str:  # never the secret
        return f"{type(self).__name__}(source={self.spec.name!r})"

    @property
    def retries(self) -> int:
        return self.http.retries

    @retries.setter
    def retries(self, value: int) -> None:
        self.http.retries = value

    def close(self) -> None:
        self.http.close()
