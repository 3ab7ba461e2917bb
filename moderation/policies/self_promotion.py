from __future__ import annotations

import re

from moderation.classifier import classifier_input
from moderation.config import ChannelScopes
from moderation.ids import PolicyId
from moderation.policies.base import Assessment
from moderation.policies.classified import ClassifiedPolicy
from moderation.signals import MessageSignals

#: A plug names something to promote. Below this many words and with no link there is
#: nothing to promote, and the head's score on two or three words ("DM me", "hey can we
#: talk") reflects spam it was trained on, not this message.
MIN_WORDS_WITHOUT_LINK = 5
_WORD = re.compile(r"\w+")


class SelfPromotionPolicy(ClassifiedPolicy):
    """Plugs for one's own products, services, events, courses or content, outside the
    plugs channel. Discussing a product, asking for tools or sharing news is not a plug."""

    id = PolicyId.SELF_PROMOTION
    clause = 'Promotion of products or services should be limited to the "Shameless Plugs" Slack channel.'
    reason = "promotion outside the plugs channel"

    def in_scope(self, channel: str, scopes: ChannelScopes) -> bool:
        # Direct messages to the bot are not community spaces; the plugs channel allows it.
        return bool(channel) and channel != scopes.shameless_plugs

    def evaluate(self, signals: MessageSignals) -> Assessment | None:
        words = _WORD.findall(classifier_input(signals.message.text))
        if not signals.domains and len(words) < MIN_WORDS_WITHOUT_LINK:
            return None
        return super().evaluate(signals)
