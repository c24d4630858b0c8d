"""Bearer tokens for API clients and wall screens. Only the SHA-256 of a token is stored;
the plaintext is returned once, by ``create_token``."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.store.accounts import resolve_user
from ioc.store.audit import Action, record
from ioc.store.errors import InvalidInput
from ioc.store.models import ApiToken, User
from ioc.store.types import as_utc, clock, utcnow

TOKEN_PREFIX = "ioc_"
#: Characters of the plaintext kept to let people tell their tokens apart.
SHOWN_PREFIX_LENGTH = 12
#: ``last_used_at`` is written at most this often per token (saves a write per request).
LAST_USED_RESOLUTION = timedelta(minutes=1)
_MAX_TOKEN_LENGTH = 128


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def store_token(
    session: Session, user: User, name: str, plaintext: str, expires_at: datetime | None
) -> ApiToken:
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=token_hash(plaintext),
        prefix=plaintext[:SHOWN_PREFIX_LENGTH],
        created_at=utcnow(),
        expires_at=as_utc(expires_at) if expires_at else None,
    )
    token.user = user
    session.add(token)
    return token


def create_token(
    session: Session,
    user: User | str,
    name: str,
    expires_at: datetime | None = None,
    *,
    actor: str | None = None,
    ip: str | None = None,
) -> tuple[str, ApiToken]:
    """A new token: ``(plaintext, row)``. Show the plaintext once; it cannot be recovered."""
    account = resolve_user(session, user)
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("a token needs a name of 1-100 characters")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = store_token(session, account, name, plaintext, expires_at)
    session.flush()
    detail = {
        "user": account.username,
        "token_id": token.id,
        "name": name,
        "prefix": token.prefix,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }
    record(session, Action.TOKEN_CREATED, actor, detail, ip)
    session.commit()
    return plaintext, token


def _usable(token: ApiToken, now: datetime) -> bool:
    return (
        token.revoked_at is None
        and (token.expires_at is None or token.expires_at > now)
        and token.user.is_active
    )


def verify_token(session: Session, plaintext: str, *, now: datetime | None = None) -> User | None:
    """The token's account, if the token exists and is not revoked or expired and the
    account is active; records when it was last used."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > _MAX_TOKEN_LENGTH:
        return None
    now = clock(now)
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(plaintext)))
    if token is None or not _usable(token, now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.commit()
    return token.user


def revoke_token(
    session: Session, token_id: int, *, actor: str | None = None, ip: str | None = None
) -> ApiToken | None:
    """Revoke a token by id (again is harmless); ``None`` if there is no such token."""
    token = session.get(ApiToken, token_id)
    if token is None:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        detail = {"user": token.user.username, "token_id": token.id, "name": token.name}
        record(session, Action.TOKEN_REVOKED, actor, detail, ip)
        session.commit()
    return token


def list_tokens(
    session: Session, user: User | str | None = None, *, include_revoked: bool = True
) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if user is not None:
        query = query.where(ApiToken.user_id == resolve_user(session, user).id)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return list(session.scalars(query))
