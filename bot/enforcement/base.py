"""What a backend is asked to do, and what it reports back (stored on the action)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

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
