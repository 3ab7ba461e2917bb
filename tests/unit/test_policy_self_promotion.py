"""self_promotion: the head's score counts only when there is something to promote."""

from __future__ import annotations

import pytest

from moderation.ids import PolicyId
from moderation.message import Message
from moderation.policies.self_promotion import SelfPromotionPolicy
from moderation.signals import MessageSignals


def assess(text: str, score: float = 0.99) -> float | None:
    signals = MessageSignals(Message(text, "random"), {PolicyId.SELF_PROMOTION: score})
    assessment = SelfPromotionPolicy().evaluate(signals)
    return assessment.score if assessment else None


@pytest.mark.parametrize(
    "text", ["DM me", "hey <@U0ZOE> can we talk", "ping me later", "call me maybe :phone:"]
)
def test_a_few_words_without_a_link_are_not_judged_a_plug(text: str) -> None:
    assert assess(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "DM me for 20% off my course",
        "new course: <https://learn.example.com|learn.example.com>",
    ],
)
def test_enough_words_or_a_link_leave_it_to_the_head(text: str) -> None:
    assert assess(text) == 0.99


def test_quoted_words_do_not_count_towards_the_minimum() -> None:
    assert assess("> Buy my amazing new course today everyone\nDM me") is None
