"""How requests to a source are authenticated (``mapping.auth`` of its spec): ``none``,
``api_key`` (a header or a query parameter), ``basic``, ``bearer`` (a fixed token, e.g. an
API token of another IOC-EDU instance) and ``oauth2`` client credentials (a token asked at
the token URL, renewed before it expires and once after a 401).

The values come from the source's secret (:mod:`ioc.sources.secrets`) as ``SecretStr`` and
are unwrapped only to sign a request (:class:`ingest.sources.http._Signing`); no signer's
``repr`` shows them.
"""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Callable, Mapping

import httpx
from pydantic import SecretStr

from ingest.sources.base import PullError
from ingest.sources.http import At, Http
from ioc.sources.spec import Auth

#: a token is renewed this share of its life before it expires (at most MAX_MARGIN s)
MARGIN, MAX_MARGIN = 0.1, 30.0


class _Signer:
    """No authentication; the base of the others."""

    def __init__(
        self, source: str, secret_name: str | None, secret: Mapping[str, SecretStr]
    ) -> None:
        self.source, self.secret_name, self._secret = source, secret_name or "-", secret

    def __repr__(self) -> str:
        return f"{type(self).__name__}(source={self.source!r}, secret={self.secret_name!r})"

    def _value(self, key: str) -> SecretStr:
        value = self._secret.get(key)
        if value is None:
            raise PullError("secret_key_missing", self.source, secret=self.secret_name, key=key)
        return value

    def check(self) -> None:
        """Every key it needs is in the secret (PullError naming the missing one)."""

    def secrets(self) -> list[SecretStr]:
        """Every value it may send (masked in log lines)."""
        return list(self._secret.values())

    def prepare(self, http: Http, at: At) -> None:
        return None

    def sign(self, request: httpx.Request) -> httpx.Request:
        return request

    def refresh(self) -> bool:
        return False


def _with_headers(request: httpx.Request, **headers: str) -> httpx.Request:
    return _rebuilt(request, request.url, {**request.headers, **headers})


def _rebuilt(request: httpx.Request, url: httpx.URL, headers: dict[str, str]) -> httpx.Request:
    return httpx.Request(
        request.method, url, headers=headers, stream=request.stream, extensions=request.extensions
    )


class ApiKey(_Signer):
    def __init__(self, auth: Auth, source: str, name: str | None, secret: Mapping[str, SecretStr]):
        super().__init__(source, name, secret)
        self.header, self.query = auth.header, auth.query

    def check(self) -> None:
        self._value("api_key")

    def sign(self, request: httpx.Request) -> httpx.Request:
        key = self._value("api_key").get_secret_value()
        if self.query:
            url = request.url.copy_merge_params({self.query: key})
            return _rebuilt(request, url, dict(request.headers))
        return _with_headers(request, **{self.header: key})


class Basic(_Signer):
    def check(self) -> None:
        self._value("username"), self._value("password")

    def sign(self, request: httpx.Request) -> httpx.Request:
        pair = f"{self._value('username').get_secret_value()}:"
        pair += self._value("password").get_secret_value()
        token = base64.b64encode(pair.encode()).decode()
        return _with_headers(request, Authorization=f"Basic {token}")


class Bearer(_Signer):
    def check(self) -> None:
        self._value("token")

    def sign(self, request: httpx.Request) -> httpx.Request:
        token = self._value("token").get_secret_value()
        return _with_headers(request, Authorization=f"Bearer {token}")


class OAuth2(_Signer):
    """Client credentials: a token from ``token_url`` (relative to the base URL or absolute),
    kept until shortly before ``expires_in`` says it ends; a 401 drops it (one new token)."""

    def __init__(
        self,
        auth: Auth,
        source: str,
        name: str | None,
        secret: Mapping[str, SecretStr],
        base_url: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(source, name, secret)
        url = auth.token_url or ""
        self.token_url = url if "://" in url else f"{base_url.rstrip('/')}/{url.lstrip('/')}"
        self.scope, self.clock = auth.scope, clock
        self._token: SecretStr | None = None
        self._until = 0.0
        self.tokens = 0  # tokens asked for so far

    def check(self) -> None:
        self._value("client_id"), self._value("client_secret")

    def secrets(self) -> list[SecretStr]:
        return super().secrets() + ([self._token] if self._token is not None else [])

    def _form(self) -> dict[str, str]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._value("client_id").get_secret_value(),
            "client_secret": self._value("client_secret").get_secret_value(),
        }
        return form | ({"scope": self.scope} if self.scope else {})

    def prepare(self, http: Http, at: At) -> None:
        if self._token is not None and self.clock() < self._until:
            return
        self.check()
        reply = http.post_form(self.token_url, at, self._form)
        body = reply.json(http, at)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise http.error("wrong_credentials", at, status=reply.status, secret=self.secret_name)
        self._token, self.tokens = SecretStr(token), self.tokens + 1
        life = body.get("expires_in")
        if isinstance(life, int | float) and not isinstance(life, bool) and life > 0:
            self._until = self.clock() + life - min(MAX_MARGIN, life * MARGIN)
        else:
            self._until = math.inf

    def sign(self, request: httpx.Request) -> httpx.Request:
        if self._token is None:  # prepare() always runs first
            return request
        return _with_headers(request, Authorization=f"Bearer {self._token.get_secret_value()}")

    def refresh(self) -> bool:
        self._token = None
        return True


def signer_for(
    auth: Auth,
    source: str,
    secret_name: str | None,
    secret: Mapping[str, SecretStr],
    base_url: str,
) -> _Signer:
    """The signer of a source's ``auth``, its secret checked for the keys it needs."""
    signer: _Signer
    if auth.type == "api_key":
        signer = ApiKey(auth, source, secret_name, secret)
    elif auth.type == "basic":
        signer = Basic(source, secret_name, secret)
    elif auth.type == "bearer":
        signer = Bearer(source, secret_name, secret)
    elif auth.type == "oauth2":
        signer = OAuth2(auth, source, secret_name, secret, base_url)
    else:
        signer = _Signer(source, secret_name, secret)
    signer.check()
    return signer
