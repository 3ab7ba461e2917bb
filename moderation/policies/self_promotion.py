from __future__ import annotations

from moderation.config import ChannelScopes
from moderation.ids import PolicyId
from moderation.policies.classified import ClassifiedPolicy


class SelfPromotionPolicy(ClassifiedPolicy):
    """Plugs for one's own products, services, events, courses or content, outside the
    plugs channel. Discussing a product, asking for tools or sharing news is not a plug."""

    id = PolicyId.SELF_PROMOTION
    clause = 'Promotion of products or services should be limited to the "Shameless Plugs" Slack channel.'
    reason = "promotion outside the plugs channel"

    def in_scope(self, channel: str, scopes: ChannelScopes) -> bool:
        # Direct messages to the bot are not community spaces; the plugs channel allows it.
        return bool(channel) and channel != scopes.shameless_plugs
