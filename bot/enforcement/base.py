"""What a backend is asked to do, and what it reports back (stored on the action)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from moderation.ids import ActionLevel


@dataclass(frozen=True)
class EnforcementRequest:
    action_id: int
    case_id: int
    level: ActionLevel
    member_user_id: str
    ends_at: datetime | None
    no_contact_user_ids: tuple[str, ...]
    card_channel_id: str | None
    card_ts: str | None


@dataclass(frozen=True)
class Step:
    """One thing a backend did (or failed to do), for the action's record and the card."""

    step: str
    ok: bool
    at: str
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class EnforcementBackend(Protocol):
    name: str

    def carry_out(self, request: EnforcementRequest, now: datetime) -> list[Step]: ...

    def lift(self, request: EnforcementRequest, now: datetime) -> list[Step]: ...


@runtime_checkable
class DeletesBannedMessages(Protocol):
    """A backend that can also delete what a banned member still posts (channels a ban could
    not remove them from, such as the workspace's general channel)."""

    @property
    def deletes_messages(self) -> bool: ...

    def on_banned_member_message(
        self, channel_id: str, ts: str, user_id: str, now: datetime
    ) -> Step | None: ...


@runtime_checkable
class RemovesRejoiningMembers(Protocol):
    """A backend whose bans are channel removals, which a banned member could undo by joining
    a public channel again: it removes them again (and the lift restores that channel too)."""

    def on_banned_member_joined(
        self, action_id: int, user_id: str, channel_id: str, now: datetime
    ) -> Step: ...


def outstanding_failures(steps: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Recorded steps that failed and were not done on a later attempt (step names carry
    their target, e.g. "conversations.invite C0RANDOM", so a retry clears its own failure)."""
    outstanding = []
    for index, step in enumerate(steps):
        if step.get("ok") is not False:
            continue
        name = step.get("step")
        if any(later.get("step") == name and later.get("ok") for later in steps[index + 1 :]):
            continue
        outstanding.append(step)
    return outstanding
