"""Errors raised by the store's service functions (all are ``ValueError``)."""

from __future__ import annotations


class StoreError(ValueError):
    """A request the store refuses; the message is safe to show to an administrator."""


class UnknownUser(StoreError):
    def __init__(self, username: str) -> None:
        super().__init__(f"no account named {username!r}")
        self.username = username


class UserExists(StoreError):
    def __init__(self, username: str) -> None:
        super().__init__(f"an account named {username!r} already exists")
        self.username = username


class InvalidInput(StoreError):
    """A username, password, role or unit scope that breaks the rules."""
