"""A reference vendor server for the tests and the benchmark of pulls (issue 16).

``with vendor_server(rows) as vendor:`` runs, on a free loopback port (uvicorn in a thread),
a school-management API as vendors write them: Vietnamese field names (``ma_truong``,
``ten_truong``, ``nam_hoc``, ``hoc_ky``, ``cap_hoc`` codes such as ``"02"`` for TH, yes/no as
``"C"``/``"K"``, nested objects such as ``dia_ban.ma_xa``), OAuth2 client-credential tokens
that expire after N seconds or N requests, cursor paging ordered by (updated_at, ma_truong)
and page/offset/link paging, ``updated_since``, deletions reported as ``{"ma_truong": ...,
"da_xoa": true}``, a registry resource, the IOC-EDU sync shape (``/api/v1/sync/...``) and a
return file with an ETag. ``vendor`` is the control object: ``vendor.url``; ``update``,
``delete``, ``replace`` rows while a pull runs; ``vendor.faults`` (429 storms with
Retry-After, seeded random 5xx, slow answers).

Rows are given in contract field names (text or numbers, as :mod:`ioc.returns` or the demo
data hold them); :func:`to_vendor` makes the vendor's records of them and
:data:`VENDOR_MAPPING` maps those back, so a test can assert that after a pull the snapshot
equals the rows given.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import csv
import functools
import hashlib
import io
import math
import random
import secrets
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ioc.catalog import load_contract
from ioc.sources.spec import SourceSpec
from tests.fixtures import SCHOOLS

# -- credentials the server accepts (tests send them, and assert they are never shown) -----
CLIENT_ID, CLIENT_SECRET = "so-gd-client-7Qm2", "cs-Zx81-vendor-SECRET-q4Lw"
API_KEY = "ak-vendor-9f3Kx2-KEYVALUE"
USERNAME, PASSWORD = "so_gddt", "pw-Hn5-vendor-PASSWORD"
SYNC_TOKEN = "tok-iocedu-Rr7-SYNCTOKEN"
SECRETS = {
    "oauth2": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
    "api_key": {"api_key": API_KEY},
    "basic": {"username": USERNAME, "password": PASSWORD},
    "bearer": {"token": SYNC_TOKEN},
    "none": {},
}
#: every credential value: none may appear in a log line, an error or a report
CREDENTIALS = (CLIENT_ID, CLIENT_SECRET, API_KEY, PASSWORD, SYNC_TOKEN)

# -- the vendor's words -------------------------------------------------------------------
LEVELS = {"MN": "01", "TH": "02", "THCS": "03", "THPT": "04", "TH_THCS": "05"}
LEVELS |= {"THCS_THPT": "06", "TH_THCS_THPT": "07", "GDTX": "08"}
OWNERSHIP = {"cong_lap": "CL", "tu_thuc": "TT", "dan_lap": "DL"}
TERMS = {"DN": "HK1", "CN": "CN"}
STATUS = {"open": "HD", "closed": "NG"}
NAMED = {
    "school_code": "ma_truong",
    "school_name": "ten_truong",
    "level": "cap_hoc",
    "ownership": "loai_hinh",
    "province_code": "dia_ban.ma_tinh",
    "district_code": "dia_ban.ma_huyen",
    "commune_code": "dia_ban.ma_xa",
    "school_year": "nam_hoc",
    "term": "hoc_ky",
    "area": "khu_vuc",
    "latitude": "toa_do.vi_do",
    "longitude": "toa_do.kinh_do",
    "classes": "so_lop",
    "students": "so_hoc_sinh",
    "students_female": "so_hoc_sinh_nu",
    "teachers": "so_giao_vien",
    "managers": "so_can_bo_quan_ly",
    "employees": "so_nhan_vien",
    "classrooms": "so_phong_hoc",
    "internet": "co_internet",
    "library": "co_thu_vien",
}
REGISTRY = {
    "school_code": "ma_truong",
    "school_name": "ten_truong",
    "level": "cap_hoc",
    "ownership": "loai_hinh",
    "province_code": "dia_ban.ma_tinh",
    "district_code": "dia_ban.ma_huyen",
    "commune_code": "dia_ban.ma_xa",
    "status": "trang_thai",
    "opened_year": "nam_thanh_lap",
    "closed_year": "nam_giai_the",
    "email": "lien_he.email",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
T0 = datetime(2026, 1, 1, tzinfo=UTC)  # the vendor's clock: one second per change


@functools.cache
def _flags() -> tuple[set[str], set[str]]:
    values = load_contract().flag_values
    return {v.lower() for v in values[True]}, {v.lower() for v in values[False]}


def vendor_path(field_name: str) -> str:
    """The vendor's dotted path of a contract field (the unnamed ones under ``chi_so``)."""
    return NAMED.get(field_name, f"chi_so.{field_name}")


def _put(record: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for step in parents:
        record = record.setdefault(step, {})
    record[leaf] = value


def _vendor_value(kind: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if kind in ("text", "code", "enum"):
        return text
    if kind == "count":
        return int(text) if text.lstrip("-").isdigit() else text
    if kind == "decimal":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "flag":
        yes, no = _flags()
        return "C" if text.lower() in yes else "K" if text.lower() in no else text
    return text


@functools.cache
def _plan() -> list[tuple[str, str, tuple[str, ...], dict[str, str]]]:
    """(field, type, vendor path steps, codes) of every contract field."""
    codes = {"level": LEVELS, "ownership": OWNERSHIP, "term": TERMS}
    return [
        (f.name, f.type, tuple(vendor_path(f.name).split(".")), codes.get(f.name, {}))
        for f in load_contract().fields
    ]


def to_vendor(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows in contract field names as the vendor's records (every contract field present,
    null when the row has none, so a page never lacks a mapped field)."""
    out = []
    for row in rows:
        record: dict[str, Any] = {}
        for name, kind, path, codes in _plan():
            value = _vendor_value(kind, row.get(name))
            if codes:
                value = codes.get(str(value), value)
            target = record
            for step in path[:-1]:
                target = target.setdefault(step, {})
            target[path[-1]] = value
        out.append(record)
    return out


def registry_to_vendor(schools: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Registry rows (``ioc.sources.spec.REGISTRY_FIELDS``) as the vendor's records."""
    out = []
    for school in schools:
        record: dict[str, Any] = {}
        for name, path in REGISTRY.items():
            value = school.get(name)
            value = None if value in (None, "") else str(value)
            if name == "level":
                value = LEVELS.get(str(value), value)
            elif name == "ownership":
                value = OWNERSHIP.get(str(value), value)
            elif name == "status":
                value = STATUS.get(str(value), value)
            _put(record, path, value)
        out.append(record)
    return out


def _flip(codes: Mapping[str, str]) -> dict[str, str]:
    return {v: k for k, v in codes.items()}


def vendor_mapping(
    paging: str = "cursor", *, size: int = 100, auth: str = "oauth2", overlap: int = 300
) -> dict[str, Any]:
    """The ``Mapping`` (as a dict) of this vendor: ``paging`` cursor, page, offset or link."""
    flags = {"C": "1", "K": "0"}
    returns_fields = {f.name: vendor_path(f.name) for f in load_contract().fields}
    values = {"level": _flip(LEVELS), "ownership": _flip(OWNERSHIP), "term": _flip(TERMS)}
    values |= {f.name: flags for f in load_contract().fields if f.type == "flag"}
    paged = {"type": paging, "size": size}
    if paging == "cursor":
        paged["next_cursor"] = "phan_trang.tiep_theo"
    common = {
        "params": {"kieu": paging},
        "since_param": "updated_since",
        "records": "ket_qua.ban_ghi",
        "paging": paged,
        "version": "updated_at",
        "overlap_seconds": overlap,
        "deleted": {"field": "da_xoa", "values": ["true"]},
    }
    schools = {"level": _flip(LEVELS), "ownership": _flip(OWNERSHIP), "status": _flip(STATUS)}
    auths: dict[str, dict[str, Any]] = {
        "oauth2": {"type": "oauth2", "token_url": "/oauth/token"},
        "api_key": {"type": "api_key", "header": "X-API-Key"},
        "api_key_query": {"type": "api_key", "query": "api_key"},
        "basic": {"type": "basic"},
        "none": {"type": "none"},
    }
    return {
        "auth": auths[auth],
        "resources": {
            "returns": {"path": "/api/v2/bao-cao", **common, "fields": returns_fields}
            | {"values": values},
            "schools": {"path": "/api/v2/danh-muc-truong", **common, "fields": dict(REGISTRY)}
            | {"values": schools},
        },
    }


#: the vendor's mapping as a Department would declare it (cursor paging, OAuth2)
VENDOR_MAPPING = vendor_mapping()


def vendor_source(
    url: str,
    *,
    name: str = "vendor-a",
    kind: str = "http-json",
    mapping: dict[str, Any] | None = None,
    resources: list[str] | None = None,
    units: list[dict[str, str]] | None = None,
) -> SourceSpec:
    """A source declared on the server at ``url`` (units: legacy Sóc Trăng, 94)."""
    if mapping is None and kind == "http-json":
        mapping = VENDOR_MAPPING
    return SourceSpec.model_validate(
        {
            "name": name,
            "kind": kind,
            "base_url": url,
            "secret": f"{name}-secret",
            "units": units or [{"scheme": "legacy", "code": "94"}],
            "resources": resources or ["returns"],
            "mapping": mapping,
        }
    )


def secret(auth: str = "oauth2") -> dict[str, SecretStr]:
    """The secret entry a source of this server names, as ``load_secret`` gives it."""
    key = "api_key" if auth.startswith("api_key") else auth
    return {k: SecretStr(v) for k, v in SECRETS[key].items()}


def sample_rows(
    n: int, *, school_year: str = "2025-2026", term: str = "DN"
) -> list[dict[str, Any]]:
    """``n`` schools' returns of one period in contract names (text), made from the test
    fixtures' real Sóc Trăng places: school codes ``<district><5 digits>``."""
    rows = []
    for i in range(n):
        base = SCHOOLS[i % len(SCHOOLS)]
        row = {k: None if v is None else str(v) for k, v in base.items()}
        row["school_code"] = f"{base['district_code']}{i + 1:05d}"
        row["school_name"] = f"{base['school_name']} số {i + 1}"
        row["students"] = str(int(base["students"] or 0) + i % 50)
        row |= {"school_year": school_year, "term": term, "internet": "1" if i % 3 else "0"}
        rows.append(row)
    return rows


@dataclass
class Faults:
    """What goes wrong with the data requests (never the token request)."""

    statuses: list[int] = field(default_factory=list)  # answers of the next requests, in order
    retry_after: str | None = "1"  # sent with a 429 or 503 of ``statuses`` (None: not sent)
    error_rate: float = 0.0  # share of requests answered a random 5xx (seeded)
    seed: int = 16
    slow_seconds: float = 0.0  # each of the next ``slow_requests`` waits this long
    slow_requests: int = 0
    token_ttl: float | None = None  # seconds a token lives (None: an hour)
    token_uses: int | None = None  # requests a token serves (None: any)


Key = tuple[str, str, str]


@dataclass
class _Stored:
    tick: int
    row: dict[str, Any]  # contract names; {} when deleted
    deleted: bool = False
    made: dict[str, Any] | None = None  # the vendor's record of the row, made once


class Vendor:
    """The server's state and its controls (thread-safe: the server runs in its own)."""

    def __init__(
        self,
        rows: Iterable[Mapping[str, Any]],
        schools: Iterable[Mapping[str, Any]],
        faults: Faults,
    ) -> None:
        self.url = ""
        self.faults = faults
        self.lock = threading.Lock()
        self.tick = 0
        self.rows: dict[Key, _Stored] = {}
        self.schools: dict[Key, _Stored] = {}
        self.tokens: dict[str, list[float]] = {}  # token -> [expires at, uses left]
        self.requests: list[tuple[str, int]] = []  # (path, status) of every data request
        self.tokens_issued = 0
        self.file: bytes | None = None  # the return file's bytes (None: made from the rows)
        self.file_name = "bao-cao-truong.csv"  # its name (and so its type): .csv, .xlsx ...
        self.random = random.Random(faults.seed)
        self._listed: dict[tuple[str, bool], list[tuple[Key, _Stored]]] = {}
        self.replace(rows)
        self.update_schools(schools)

    # -- controls ------------------------------------------------------------------------
    def _next(self) -> int:
        self._listed.clear()
        self.tick += 1
        return self.tick

    def replace(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Every row replaced by these (no tombstones for the ones that go)."""
        with self.lock:
            self.rows = {}
        self.update(rows)

    def update(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Rows added or changed: their ``updated_at`` moves to now (they go to the end)."""
        with self.lock:
            for row in rows:
                key = (str(row["school_code"]), str(row["school_year"]), str(row["term"]))
                self.rows.pop(key, None)
                self.rows[key] = _Stored(self._next(), dict(row))

    def delete(self, keys: Iterable[Key]) -> None:
        """Rows deleted: reported as ``da_xoa`` records to delta requests."""
        with self.lock:
            for key in keys:
                self.rows.pop(key, None)
                self.rows[key] = _Stored(self._next(), {}, deleted=True)

    def update_schools(self, schools: Iterable[Mapping[str, Any]]) -> None:
        with self.lock:
            for school in schools:
                key = (str(school["school_code"]), "", "")
                self.schools.pop(key, None)
                self.schools[key] = _Stored(self._next(), dict(school))

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def prepare(self) -> None:
        """Make the vendor's record of every row and school now, not on its first request
        (a benchmark measures the pull, not this server's Python)."""
        for table in ("rows", "schools"):
            for key, stored in self.listing(table, 0, False):
                _record(key, stored, table)

    def statuses(self) -> list[int]:
        return [status for _, status in self.requests]

    # -- what the routes read ------------------------------------------------------------
    def listing(self, table: str, since_tick: int, with_deleted: bool) -> list[tuple[Key, _Stored]]:
        """Rows (or schools) changed at ``since_tick`` or later, in the order of their
        changes (a stored table keeps it: a change moves its row to the end)."""
        with self.lock:
            found = self._listed.get((table, with_deleted))
            if found is None:
                stored = self.rows if table == "rows" else self.schools
                found = [(k, s) for k, s in stored.items() if with_deleted or not s.deleted]
                self._listed[(table, with_deleted)] = found
        return found[bisect.bisect_left(found, since_tick, key=lambda item: item[1].tick) :]


def stamp(tick: int) -> str:
    return (T0 + timedelta(seconds=tick)).isoformat().replace("+00:00", "Z")


def _tick_of(since: str) -> int:
    when = datetime.fromisoformat(since.replace("Z", "+00:00"))
    return max(0, math.ceil((when - T0).total_seconds()))


def _encode(tick: int) -> str:
    return base64.urlsafe_b64encode(f"t{tick}".encode()).decode()


def _decode(cursor: str) -> int:
    return int(base64.urlsafe_b64decode(cursor.encode()).decode()[1:])


# -- the API ------------------------------------------------------------------------------
def _bearer_ok(vendor: Vendor, token: str) -> bool:
    with vendor.lock:
        entry = vendor.tokens.get(token)
        if entry is None:
            return False
        if time.monotonic() > entry[0] or entry[1] <= 0:
            del vendor.tokens[token]
            return False
        entry[1] -= 1
        return True


def _authorised(vendor: Vendor, request: Request, *, sync: bool = False) -> bool:
    header = request.headers.get("authorization", "")
    if header.startswith("Bearer "):
        token = header.removeprefix("Bearer ")
        return token == SYNC_TOKEN if sync else _bearer_ok(vendor, token)
    if sync:
        return False
    if header.startswith("Basic "):
        pair = base64.b64decode(header.removeprefix("Basic ")).decode(errors="replace")
        return pair == f"{USERNAME}:{PASSWORD}"
    key = request.headers.get("x-api-key") or request.query_params.get("api_key")
    return key == API_KEY


async def _fault(vendor: Vendor) -> Response | None:
    faults = vendor.faults
    with vendor.lock:
        slow = faults.slow_requests != 0
        if faults.slow_requests > 0:
            faults.slow_requests -= 1
        status = faults.statuses.pop(0) if faults.statuses else None
        if status is None and faults.error_rate and vendor.random.random() < faults.error_rate:
            status = vendor.random.choice([500, 502, 503, 504])
            headers = {}
        else:
            late = status in (429, 503) and faults.retry_after
            headers = {"Retry-After": faults.retry_after} if late and faults.retry_after else {}
    if slow:
        await asyncio.sleep(faults.slow_seconds)
    if status is not None:
        return JSONResponse({"loi": "thử lại sau"}, status_code=status, headers=headers)
    return None


def _record(key: Key, stored: _Stored, table: str) -> dict[str, Any]:
    version = {"updated_at": stamp(stored.tick)}
    if stored.deleted:
        return {"ma_truong": key[0], "nam_hoc": key[1], "hoc_ky": TERMS.get(key[2], key[2])} | {
            "da_xoa": True,
            **version,
        }
    if stored.made is None:
        made = to_vendor([stored.row]) if table == "rows" else registry_to_vendor([stored.row])
        stored.made = made[0]
    return stored.made | {"da_xoa": False, **version}


def _window(request: Request, items: list[tuple[Key, _Stored]]) -> tuple[int, int, str | None]:
    """The first item and size of the page asked for, and the next cursor."""
    query = request.query_params
    mode, size = query.get("kieu", "cursor"), int(query.get("limit", "100"))
    if mode == "cursor":
        after = _decode(query["cursor"]) if query.get("cursor") else -1
        start = bisect.bisect_right(items, after, key=lambda item: item[1].tick)
        more = start + size < len(items)
        return start, size, _encode(items[start + size - 1][1].tick) if more else None
    if mode == "offset":
        return int(query.get("offset", "0")), size, None
    return (int(query.get("page", "1")) - 1) * size, size, None


class _Api:
    """The routes of the server over its state."""

    def __init__(self, vendor: Vendor) -> None:
        self.vendor = vendor

    async def token(self, request: Request) -> Response:
        form = parse_qs((await request.body()).decode())
        given = (form.get("client_id", [""])[0], form.get("client_secret", [""])[0])
        if given != (CLIENT_ID, CLIENT_SECRET) or form.get("grant_type") != ["client_credentials"]:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        ttl = self.vendor.faults.token_ttl or 3600.0
        issued = secrets.token_urlsafe(16)
        with self.vendor.lock:
            uses = self.vendor.faults.token_uses or math.inf
            self.vendor.tokens[issued] = [time.monotonic() + ttl, uses]
            self.vendor.tokens_issued += 1
        return JSONResponse({"access_token": issued, "token_type": "bearer", "expires_in": ttl})

    async def guarded(self, request: Request, sync: bool = False) -> Response | None:
        refused = await _fault(self.vendor)
        if refused is None and not _authorised(self.vendor, request, sync=sync):
            refused = JSONResponse({"loi": "chưa xác thực"}, status_code=401)
        if refused is not None:
            self.vendor.requests.append((request.url.path, refused.status_code))
        return refused

    async def listing(self, request: Request, table: str) -> Response:
        if (refused := await self.guarded(request)) is not None:
            return refused
        since = request.query_params.get("updated_since")
        items = self.vendor.listing(table, _tick_of(since) if since else 0, since is not None)
        start, size, cursor = _window(request, items)
        page = [_record(k, s, table) for k, s in items[start : start + size]]
        headers = {}
        if request.query_params.get("kieu") == "link" and start + size < len(items):
            number = int(request.query_params.get("page", "1"))
            nxt = request.url.include_query_params(page=number + 1)
            headers["Link"] = f'<{nxt}>; rel="next", <{request.url}>; rel="self"'
        body = {
            "ket_qua": {"ban_ghi": page, "tong": len(items)},
            "phan_trang": {"tiep_theo": cursor},
        }
        self.vendor.requests.append((request.url.path, 200))
        return JSONResponse(body, headers=headers)

    async def returns(self, request: Request) -> Response:
        return await self.listing(request, "rows")

    async def registry(self, request: Request) -> Response:
        return await self.listing(request, "schools")

    async def sync(self, request: Request) -> Response:
        if (refused := await self.guarded(request, sync=True)) is not None:
            return refused
        resource = request.path_params["resource"]
        if resource not in ("returns", "schools"):
            return JSONResponse({"detail": "not found"}, status_code=404)
        query = request.query_params
        table = "rows" if resource == "returns" else "schools"
        items = self.vendor.listing(table, int(query.get("since") or 0), False)
        after = int(query.get("after") or -1)
        chosen = items[bisect.bisect_right(items, after, key=lambda item: item[1].tick) :]
        limit = int(query.get("limit") or 1000)
        page = chosen[:limit]
        out = [
            {k: None if v is None else str(v) for k, v in s.row.items()} | {"_version": s.tick}
            for _, s in page
        ]
        nxt = str(page[-1][1].tick) if len(chosen) > limit else None
        version = self.vendor.tick
        self.vendor.requests.append((request.url.path, 200))
        return JSONResponse({"items": out, "next": nxt, "version": version})

    async def return_file(self, request: Request) -> Response:
        if (refused := await self.guarded(request)) is not None:
            return refused
        content = self.vendor.file if self.vendor.file is not None else _csv(self.vendor)
        etag = '"' + hashlib.sha256(content).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": "Thu, 03 Dec 2026 08:00:00 GMT"}
        if request.headers.get("if-none-match") == etag:
            self.vendor.requests.append((request.url.path, 304))
            return Response(status_code=304, headers=headers)
        name = self.vendor.file_name
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        self.vendor.requests.append((request.url.path, 200))
        media = XLSX if name.endswith(".xlsx") else "text/csv; charset=utf-8"
        return Response(content, media_type=media, headers=headers)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/oauth/token", self.token, methods=["POST"]),
                Route("/api/v2/bao-cao", self.returns),
                Route("/api/v2/danh-muc-truong", self.registry),
                Route("/api/v1/sync/{resource}", self.sync),
                Route("/files/bao-cao.csv", self.return_file),
            ]
        )


def _csv(vendor: Vendor) -> bytes:
    names = [f.name for f in load_contract().fields]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for _, stored in vendor.listing("rows", 0, False):
        writer.writerow(["" if stored.row.get(n) is None else stored.row[n] for n in names])
    return buffer.getvalue().encode("utf-8")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def vendor_server(
    rows: Iterable[Mapping[str, Any]] = (),
    *,
    schools: Iterable[Mapping[str, Any]] = (),
    faults: Faults | None = None,
) -> Iterator[Vendor]:
    """The server on a free loopback port, for the ``with`` block: its control object."""
    vendor = Vendor(rows, schools, faults or Faults())
    port = free_port()
    config = uvicorn.Config(
        _Api(vendor).app(),
        host="127.0.0.1",
        port=port,
        log_config=None,
        log_level="warning",
        access_log=False,  # its lines would hold an API key sent in the query
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"vendor-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the vendor server did not start")
        time.sleep(0.02)
    vendor.url = f"http://127.0.0.1:{port}"
    try:
        yield vendor
    finally:
        server.should_exit = True
        thread.join(timeout=10)
