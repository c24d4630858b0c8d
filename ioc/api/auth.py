"""The API's view of the operational store: who a request is, sign in and out, audit."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser

from ioc import store
from ioc.api.principal import Principal
from ioc.config import Settings
from ioc.store.login import Attempt, begin, finish
from ioc.store.models import User
from ioc.store.throttle import Limits
from ioc.store.web_sessions import create_session, end_session, verify_session

log = logging.getLogger("ioc.api")
SESSION_COOKIE = "ioc_session"


class HashingBusy(Exception):
    """Every password hashing slot stayed taken: try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"password hashing busy, retry in {retry_after} s")
        self.retry_after = retry_after


class AuthService:
    session_seconds = 12 * 3600
    #: how long a verified token or session is trusted without asking the store again
    #: (a revoked token stops working within this many seconds)
    recheck_seconds = 10.0

    def __init__(self, settings: Settings, prepared: bool = False) -> None:
        self.settings = settings
        #: the store is migrated and has its first account already (``ioc serve`` did it
        #: once, before starting its workers): :meth:`start` only opens it
        self.prepared = prepared
        self._sessions: sessionmaker[Session] | None = None
        self._verified: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()
        self._verifying: dict[str, asyncio.Future[Principal | None]] = {}  # on the event loop
        self._hashing = asyncio.Semaphore(settings.login_hash_concurrency)
        self._limits = Limits.of(settings)

    def _fresh(self, key: str) -> tuple[bool, Principal | None]:
        """(True, who) if the credential was verified less than recheck_seconds ago."""
        with self._lock:
            hit = self._verified.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.recheck_seconds:
            return True, hit[1]
        return False, None

    def _remember(self, key: str, who: Principal | None, at: float) -> None:
        with self._lock:
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified[key] = (at, who)

    def _forget(self, kind: str, secret: str) -> None:
        with self._lock:
            self._verified.pop(kind + hashlib.sha256(secret.encode()).hexdigest(), None)

    async def principal(self, authorization: str, cookie: str) -> Principal | None:
        """The account behind a request's bearer token (Authorization header) or session
        cookie (Cookie header); None without a valid one. Answered from memory when verified
        recently, else from the store (in a worker thread, not on the event loop)."""
        verify: Callable[[str], Principal | None]
        if authorization[:7].lower() == "bearer ":
            kind, secret, verify = "token:", authorization[7:].strip(), self._verify_token
        elif SESSION_COOKIE in cookie and SESSION_COOKIE in (cookies := cookie_parser(cookie)):
            kind, secret, verify = "session:", cookies[SESSION_COOKIE], self._verify_session
        else:
            return None
        key = kind + hashlib.sha256(secret.encode()).hexdigest()
        known, who = self._fresh(key)
        if known:
            return who
        # one verification per credential at a time: when it expires from memory, the
        # requests that arrive meanwhile wait for the same answer
        task = self._verifying.get(key)
        if task is None:
            task = asyncio.ensure_future(self._verify(key, verify, secret))
            self._verifying[key] = task
            task.add_done_callback(lambda _: self._verifying.pop(key, None))
        return await asyncio.shield(task)

    async def _verify(
        self, key: str, verify: Callable[[str], Principal | None], secret: str
    ) -> Principal | None:
        at = time.monotonic()
        who = await run_in_threadpool(verify, secret)
        self._remember(key, who, at)
        return who

    def start(self) -> None:
        """Open the store; unless the serving command prepared it already (``prepared``),
        prepare it here (:func:`prepare_store`)."""
        engine = store.make_engine(self.settings)
        if not self.prepared:
            prepare_store(engine)
        self._sessions = store.session_factory(engine)

    def _session(self) -> Session:
        if self._sessions is None:
            self.start()
        assert self._sessions is not None
        return self._sessions()

    @staticmethod
    def _principal(user: User, via: str) -> Principal:
        return Principal(user.username, user.role, tuple(sorted(user.units)), via)

    def _verify_token(self, plaintext: str) -> Principal | None:
        with self._session() as session:
            user = store.verify_token(session, plaintext)
            return self._principal(user, "token") if user else None

    def _verify_session(self, secret: str) -> Principal | None:
        with self._session() as session:
            user = verify_session(session, secret)
            return self._principal(user, "session") if user else None

    async def login(self, username: str, password: str, ip: str) -> tuple[Principal, str] | None:
        """The account and a new session secret, or None for a wrong password. Raises
        :class:`store.Throttled` when the address, account or pair must wait, and
        :class:`HashingBusy` when no hashing slot frees up in time: at most
        ``login_hash_concurrency`` passwords (64 MiB each) are hashed at once, and the
        attempts waiting for a slot wait here, on the event loop, holding no thread."""
        attempt = await run_in_threadpool(self._begin, username, ip)
        try:
            async with asyncio.timeout(self.settings.login_hash_wait_seconds):
                await self._hashing.acquire()
        except TimeoutError:
            raise HashingBusy(math.ceil(self.settings.login_hash_wait_seconds)) from None
        try:
            return await run_in_threadpool(self._finish, attempt, password)
        finally:
            self._hashing.release()

    def _begin(self, username: str, ip: str) -> Attempt:
        with self._session() as session:
            return begin(session, username, ip, limits=self._limits)

    def _finish(self, attempt: Attempt, password: str) -> tuple[Principal, str] | None:
        with self._session() as session:
            user = finish(session, attempt, password)
            if user is None:
                return None
            ip = attempt.ip
            secret = create_session(session, user, ip, timedelta(seconds=self.session_seconds))
            return self._principal(user, "session"), secret

    def logout(self, secret: str, username: str, ip: str) -> None:
        self._forget("session:", secret)
        with self._session() as session:
            end_session(session, secret, ip)

    def audit_event(
        self, action: str, username: str | None, detail: Mapping[str, Any] | str, ip: str
    ) -> None:
        with self._session() as session:
            store.audit(session, action, username, detail, ip)

    def audit_export(self, request: Request, name: str, fmt: str, rows: int) -> None:
        who: Principal | None = getattr(request.state, "principal", None)
        ip = request.client.host if request.client else "unknown"
        self.audit_event(
            "export",
            who.username if who else None,
            f"{name}.{fmt}: {rows} rows ({request.url.path})",
            ip,
        )

    def audit_page(
        self, action: str | None, username: str | None, limit: int, offset: int
    ) -> dict[str, Any]:
        with self._session() as session:
            events = store.list_audit(session, limit, offset, action, username)
            total = store.count_audit(session, action, username)
            items = [
                {
                    "id": e.id,
                    "at": e.at.isoformat(),
                    "username": e.username,
                    "action": e.action,
                    "detail": e.detail,
                    "ip": e.ip,
                }
                for e in events
            ]
        return {"total": total, "limit": limit, "offset": offset, "items": items}


def prepare_store(engine: Engine) -> None:
    """Migrate the store; on first start create 'admin' and print its password once."""
    store.migrate(engine)
    password = store.ensure_admin(engine)
    if password:
        sys.stderr.write(
            "\nIOC-EDU first start: account 'admin' created with password\n\n"
            f"    {password}\n\nIt is shown only this once: change it with "
            "'ioc users reset-password admin'.\n\n"
        )
