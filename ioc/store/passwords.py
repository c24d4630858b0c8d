"""Password hashing with argon2id (argon2-cffi), and random secrets."""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

#: argon2id, RFC 9106 "second recommended" parameters (64 MiB, t=3, p=4). Changing the
#: hasher makes existing hashes be rehashed at their owner's next successful login.
HASHER: PasswordHasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if ``password`` matches; False on a mismatch or an unreadable hash."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@functools.cache
def _dummy_hash(parameters: tuple[int, int, int]) -> str:
    return HASHER.hash(secrets.token_urlsafe(16))


def burn_time(password: str) -> None:
    """Spend as long as a real verification, so unknown and locked accounts do not answer
    faster than known ones."""
    key = (HASHER.time_cost, HASHER.memory_cost, HASHER.parallelism)
    verify_password(_dummy_hash(key), password)


def generate_password() -> str:
    """A random password of 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)
