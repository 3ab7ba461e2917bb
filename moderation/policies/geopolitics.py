from __future__ import annotations

from moderation.config import ChannelScopes
from moderation.ids import PolicyId
from moderation.policies.classified import ClassifiedPolicy


class GeopoliticsPolicy(ClassifiedPolicy):
    """Wars, territorial disputes, sanctions, foreign elections and campaigning, only in the
    general-discussions channels. Tech policy is this community's core topic and is not it."""

    id = PolicyId.GEOPOLITICS
    clause = "Posting geopolitical content in #general-discussions channel is not allowed."
    reason = "geopolitical topic in general discussions"

    def in_scope(self, channel: str, scopes: ChannelScopes) -> bool:
        return channel in scopes.general_discussions
