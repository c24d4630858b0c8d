"""Who is asking, and which units they may see."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("admin", "leader", "analyst", "operator", "display")
SEES_EVERYTHING = ("admin", "leader", "display")


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    scopes: tuple[tuple[str, str], ...] = field(default=())  # (scheme, unit code)
    via: str = "session"  # 'session' | 'token'

    @property
    def unrestricted(self) -> bool:
        return self.role in SEES_EVERYTHING

    @property
    def sees_schools(self) -> bool:
        return self.role != "display"
