"""A return's review states and the actions between them (docs/approval.md). Pure."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class State(enum.StrEnum):
    RECEIVED = "received"
    CHECKED = "checked"
    RETURNED = "returned"
    APPROVED = "approved"


class Action(enum.StrEnum):
    CHECK = "check"
    APPROVE = "approve"
    RETURN = "return"
    REOPEN = "reopen"


#: actions whose reason may not be blank
NEEDS_REASON = frozenset({Action.RETURN, Action.REOPEN})
#: actions on a period lock (chained with the others)
LOCK, UNLOCK = "lock", "unlock"

_MOVES: dict[Action, tuple[frozenset[State], State]] = {
    Action.CHECK: (frozenset({State.RECEIVED}), State.CHECKED),
    Action.APPROVE: (frozenset({State.RECEIVED, State.CHECKED}), State.APPROVED),
    Action.RETURN: (frozenset({State.RECEIVED, State.CHECKED}), State.RETURNED),
    Action.REOPEN: (frozenset({State.APPROVED}), State.RECEIVED),
}


class ReviewError(Exception):
    """An action that may not be taken: ``code`` is a catalog message (``reviews`` section),
    ``status`` the HTTP status the API answers with, ``params`` its placeholders."""

    def __init__(self, code: str, status: int = 409, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params


@dataclass(frozen=True)
class Stored:
    """What the store holds of a return's review: its state and the hash it was taken on."""

    state: State
    content_hash: str


def current_state(stored: Stored | None, content_hash: str) -> State:
    """The return's state now: a review holds only for the content it was taken on; a return
    that changed since (or was never reviewed) is received."""
    if stored is None or stored.content_hash != content_hash:
        return State.RECEIVED
    return State(stored.state)  # a Stored made from a Review's str state counts the same


def counts(stored: Stored | None, content_hash: str) -> bool:
    """Does the return count in official figures (approved, on this very content)?"""
    return current_state(stored, content_hash) is State.APPROVED


def move(state: State, action: Action, *, check_required: bool, reason: str | None = None) -> State:
    """The state ``action`` leads to from ``state``, or :class:`ReviewError`
    (``review_state``, ``review_reason``, ``review_unchecked``)."""
    if action in NEEDS_REASON and not (reason and reason.strip()):
        raise ReviewError("review_reason", 422, action=str(action))
    sources, target = _MOVES[action]
    if state not in sources:
        raise ReviewError("review_state", 409, action=str(action), state=str(state))
    if action is Action.APPROVE and check_required and state is not State.CHECKED:
        raise ReviewError("review_unchecked", 409)
    return target
