"""The nudge and the case card: Block Kit within Slack's limits, member text inert."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.ids import ActionId
from bot.views.case_card import (
    CaseCard,
    DetectionEntry,
    ReportEntry,
    case_card_blocks,
    fallback_text,
    link,
)
from bot.views.labels import NOT_A_MATCH, POLICY_TITLES
from bot.views.nudge import NudgeView, nudge_blocks
from models.enums import CaseStatus, NudgeStatus
from moderation.ids import PolicyId


def rendered(blocks: list) -> str:  # type: ignore[type-arg]
    return json.dumps([b.to_dict() for b in blocks])


@pytest.mark.parametrize("policy", list(PolicyId))
def test_every_policy_has_a_title_and_a_dispute_label_that_fit_a_button(policy: PolicyId) -> None:
    assert POLICY_TITLES[policy]
    assert 0 < len(NOT_A_MATCH[policy]) <= 75


@pytest.mark.parametrize("policy", [p for p in PolicyId if p is not PolicyId.ANONYMOUS_ACCOUNT])
def test_nudge_explains_the_rule_and_offers_both_buttons(policy: PolicyId) -> None:
    blocks = nudge_blocks(
        NudgeView(
            detection_id=42,
            policy=policy,
            clause="A clause <with> & marks",
            guidelines_url="https://example.org/coc",
            plugs_channel="<#C0PLUGS>",
        )
    )
    data = [b.to_dict() for b in blocks]
    actions = data[-1]["elements"]
    assert [a["action_id"] for a in actions] == [ActionId.NUDGE_GOT_IT, ActionId.NUDGE_NOT_A_MATCH]
    assert {a["value"] for a in actions} == {"42"}
    text = rendered(blocks)
    assert "A clause &lt;with&gt; &amp; marks" in text
    assert "https://example.org/coc" in text


def test_plug_nudge_points_to_the_plugs_channel() -> None:
    view = NudgeView(1, PolicyId.SELF_PROMOTION, "c", "https://example.org", "<#C0PLUGS>")
    assert "<#C0PLUGS>" in rendered(nudge_blocks(view))


def card(**overrides: object) -> CaseCard:
    values: dict[str, object] = {
        "case_id": 7,
        "status": CaseStatus.OPEN,
        "subject_user_id": "U0BOB",
        "opened_at": datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        "policy": PolicyId.PRIVATE_INFO,
    }
    values.update(overrides)
    return CaseCard(**values)  # type: ignore[arg-type]


def test_case_card_relays_member_text_inert() -> None:
    hostile = "<!channel> hey <@U123> look & see <https://evil.example|click>"
    blocks = case_card_blocks(
        card(
            detections=(DetectionEntry(PolicyId.PRIVATE_INFO, 0.91, "clause", hostile, None),),
            reports=(
                ReportEntry(
                    reporter_user_id="U0ALICE",
                    description=hostile,
                    named_user_ids=("U0BOB",),
                    occurred_when=hostile,
                    extra=hostile,
                    contact_preference=hostile,
                ),
            ),
        )
    )
    text = rendered(blocks)
    assert "<!channel>" not in text
    assert "<@U123>" not in text
    assert "<https://evil.example" not in text
    assert "&lt;!channel&gt;" in text


def test_case_card_says_whether_the_member_was_told() -> None:
    flagged_only = DetectionEntry(PolicyId.HARASSMENT, 0.65, "clause", "text", None)
    nudged = DetectionEntry(
        PolicyId.PRIVATE_INFO, 0.9, "clause", "text", None, nudge=NudgeStatus.SENT
    )
    limited = DetectionEntry(
        PolicyId.SELF_PROMOTION, 0.9, "clause", "text", None, nudge=NudgeStatus.SUPPRESSED
    )
    assert "not told: flagged for moderators only" in rendered(
        case_card_blocks(card(detections=(flagged_only,)))
    )
    assert "sent a private nudge" in rendered(case_card_blocks(card(detections=(nudged,))))
    assert "nudge for this rule recently" in rendered(case_card_blocks(card(detections=(limited,))))


def test_case_card_names_member_reporter_and_case_number() -> None:
    blocks = case_card_blocks(
        card(reports=(ReportEntry("U0ALICE", "He keeps messaging me", ("U0BOB", "U0DMITRI")),))
    )
    text = rendered(blocks)
    assert "Case #7" in text
    assert "<@U0BOB>" in text and "<@U0ALICE>" in text and "<@U0DMITRI>" in text
    assert fallback_text(card()) == "Case #7: Someone's private information (open)"


def test_only_plain_https_urls_become_links() -> None:
    assert link("https://atih.slack.com/archives/C0GENERAL/p1700000000000100", "x") == (
        "<https://atih.slack.com/archives/C0GENERAL/p1700000000000100|x>"
    )
    assert link("https://a.example/x|<!channel>", "x") == "https://a.example/x|&lt;!channel&gt;"
    assert link("javascript:alert(1)", "x") == "javascript:alert(1)"


def test_long_quotes_are_shortened_to_fit_a_section() -> None:
    blocks = case_card_blocks(
        card(detections=(DetectionEntry(PolicyId.HARASSMENT, 0.95, "c", "word " * 2000, None),))
    )
    for block in blocks:
        data = block.to_dict()
        if data["type"] == "section" and "text" in data:
            assert len(data["text"]["text"]) <= 3000


def test_card_lists_steps_still_to_do_by_hand_escaped() -> None:
    from bot.views.case_card import DecisionEntry
    from models.enums import ActionStatus
    from moderation.ids import ActionLevel

    decision = DecisionEntry(
        level=ActionLevel.TEMPORARY_BAN,
        decided_by_user_id="U0ADA",
        decided_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        status=ActionStatus.ACTIVE,
        failed_steps=tuple(f"conversations.kick C{i} (<!here>)" for i in range(7)),
    )
    text = rendered(case_card_blocks(card(status=CaseStatus.RESOLVED, decision=decision)))
    assert "Not done on Slack, do it by hand" in text
    assert "&lt;!here&gt;" in text and "<!here>" not in text
    assert "and 2 more" in text
