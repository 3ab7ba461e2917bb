"""The shape every policy has: a stable id, the clause it enforces, a scope, and an
`evaluate` that reads precomputed signals and returns a score (or nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from moderation.config import ChannelScopes
from moderation.ids import PolicyId
from moderation.message import Account
from moderation.signals import MessageSignals
from moderation.verdict import Span


@dataclass(frozen=True)
class Assessment:
    """A policy's opinion of one message or account, before thresholds turn it into a
    response. `reason` must not quote the content: it is logged and shown in metrics."""

    score: float
    evidence: Span | None = None
    reason: str = ""


class MessagePolicy(Protocol):
    id: ClassVar[PolicyId]
    clause: ClassVar[str]
    uses_classifier: ClassVar[bool]

    def in_scope(self, channel: str, scopes: ChannelScopes) -> bool:
        """Whether the policy applies in this channel (a name without '#', '' for DMs)."""
        ...

    def evaluate(self, signals: MessageSignals) -> Assessment | None:
        """None when the policy has nothing to say about the message."""
        ...


class AccountPolicy(Protocol):
    id: ClassVar[PolicyId]
    clause: ClassVar[str]

    def evaluate_account(self, account: Account) -> Assessment | None: ...
