"""Who is asking, and which units they may see."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("admin", "leader", "analyst", "operator", "display", "sync", "approver")
SEES_EVERYTHING = ("admin", "leader", "display")
#: a sync account (another IOC-EDU instance pulling this one) reads /sync/* and nothing else;
#: without unit scopes it reads every school
SYNC_ONLY = ("sync",)
#: who may read /sync/*
SYNC_READERS = ("admin", "leader", "sync")


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    scopes: tuple[tuple[str, str], ...] = field(default=())  # (scheme, unit code)
    via: str = "session"  # 'session' | 'token'

    @property
    def unrestricted(self) -> bool:
        return self.role in SEES_EVERYTHING or (self.role in SYNC_ONLY and not self.scopes)

    @property
    def sees_schools(self) -> bool:
        return self.role != "display"
