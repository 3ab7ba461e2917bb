"""Policies decided by a classifier head over the message's words, plus their scope."""

from __future__ import annotations

from typing import ClassVar

from moderation.config import ChannelScopes
from moderation.ids import PolicyId
from moderation.policies.base import Assessment
from moderation.signals import MessageSignals


class ClassifiedPolicy:
    """A head's score is the assessment; subclasses say where the policy applies."""

    id: ClassVar[PolicyId]
    clause: ClassVar[str]
    uses_classifier: ClassVar[bool] = True
    reason: ClassVar[str]

    def in_scope(self, channel: str, scopes: ChannelScopes) -> bool:
        return True

    def evaluate(self, signals: MessageSignals) -> Assessment | None:
        score = signals.classifier_score(self.id)
        return Assessment(score=score, reason=self.reason) if score > 0 else None
