"""Appeals: the member's Appeal button under a notice, the moderators' Uphold / Overturn by
someone who did not decide, the window, one open appeal per action."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.ids import CaseAction, CaseCallback, DecisionBlock
from bot.settings import AppealSettings, CommunitySettings, ModeratorSettings
from models import ActionStatus, Appeal, AppealStatus
from moderation.ids import ActionLevel
from tests.integration.case_steps import (
    actions,
    audit_actions,
    decide,
    decision_values,
    dms_to,
    open_case,
)
from tests.integration.harness import RunningBot


def decided(bot: RunningBot, level: ActionLevel = ActionLevel.CORRECTION, **kw: Any) -> int:
    case = open_case(bot)
    decide(bot, case, "ada", decision_values(level, **kw))
    [action] = actions(bot)
    return action.id


def notice(bot: RunningBot) -> dict[str, Any]:
    return next(m for m in dms_to(bot, "dmitri") if CaseAction.APPEAL_OPEN in json.dumps(m))


def press_appeal(bot: RunningBot, user: str = "dmitri") -> None:
    message = notice(bot)
    bot.delivery.block_action(
        CaseAction.APPEAL_OPEN,
        next(
            e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
        ),
        user,
        message=message,
        channel=bot.standin.dm_id("dmitri"),
    )
    bot.drain()


def submit_appeal(
    bot: RunningBot, action_id: int, text: str = "I shared it with her consent."
) -> Any:
    response = bot.delivery.view_submission(
        CaseCallback.APPEAL,
        {DecisionBlock.APPEAL_TEXT: {"value": {"type": "plain_text_input", "value": text}}},
        "dmitri",
        private_metadata=json.dumps({"action_id": action_id}),
    )
    bot.drain()
    return response


def appeals(bot: RunningBot) -> list[Appeal]:
    with bot.services.session_factory() as session:
        return list(session.scalars(select(Appeal).order_by(Appeal.id)))


def appeal_card(bot: RunningBot, channel: str = "moderators") -> dict[str, Any]:
    return next(m for m in bot.standin.messages(channel) if m["text"].startswith("Appeal on case"))


def review(bot: RunningBot, moderator: str, overturn: bool, note: str = "") -> Any:
    card = appeal_card(bot)
    action_id = CaseAction.APPEAL_OVERTURN if overturn else CaseAction.APPEAL_UPHOLD
    [appeal] = appeals(bot)
    bot.delivery.block_action(
        action_id, str(appeal.id), moderator, message=card, channel="moderators"
    )
    bot.drain()
    response = bot.delivery.view_submission(
        CaseCallback.APPEAL_DECISION,
        {DecisionBlock.APPEAL_NOTE: {"value": {"type": "plain_text_input", "value": note}}},
        moderator,
        private_metadata=json.dumps({"appeal_id": appeal.id, "overturn": overturn}),
    )
    bot.drain()
    return response


def test_member_appeals_from_the_notice_and_moderators_get_a_card(running_bot: RunningBot) -> None:
    action_id = decided(running_bot)

    press_appeal(running_bot)
    form = running_bot.standin.last("views.open").args["view"]
    assert form["callback_id"] == CaseCallback.APPEAL
    response = submit_appeal(running_bot, action_id, "It was <!channel> her own number")

    assert response.json()["response_action"] == "update"
    [appeal] = appeals(running_bot)
    assert appeal.status == AppealStatus.OPEN
    card = appeal_card(running_bot)
    text = json.dumps(card["blocks"])
    assert CaseAction.APPEAL_UPHOLD in text and CaseAction.APPEAL_OVERTURN in text
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert appeal.card_ts == card["ts"]
    assert any("received your appeal" in m["text"] for m in dms_to(running_bot, "dmitri"))
    assert "appeal.filed" in audit_actions(running_bot)


def test_overturned_appeal_ends_the_ban_tells_the_member_and_lifts_it(
    running_bot: RunningBot,
) -> None:
    action_id = decided(running_bot, ActionLevel.TEMPORARY_BAN, days=7, justification="threat")
    submit_appeal(running_bot, action_id)

    review(running_bot, "carla", overturn=True, note="Consent confirmed with Maria")

    [action] = actions(running_bot)
    assert action.status == ActionStatus.OVERTURNED
    assert action.lifted_at == running_bot.clock.now()
    [appeal] = appeals(running_bot)
    assert appeal.status == AppealStatus.OVERTURNED
    assert appeal.decision_note == "Consent confirmed with Maria"
    assert any("overturned" in m["text"] for m in dms_to(running_bot, "dmitri"))
    assert [s["step"] for s in action.enforcement_steps] == [
        "checklist_posted",
        "lift_checklist_posted",
    ]
    redrawn = json.dumps(running_bot.standin.last("chat.update").args["blocks"])
    assert "(overturned)" in redrawn
    trail = audit_actions(running_bot)
    assert "appeal.overturned" in trail and "enforcement.lifted" in trail


def test_upheld_appeal_keeps_the_decision_and_tells_the_member(running_bot: RunningBot) -> None:
    action_id = decided(running_bot)
    submit_appeal(running_bot, action_id)

    review(running_bot, "carla", overturn=False)

    [action] = actions(running_bot)
    assert action.status == ActionStatus.ACTIVE
    [appeal] = appeals(running_bot)
    assert appeal.status == AppealStatus.UPHELD
    assert any("upheld" in m["text"] for m in dms_to(running_bot, "dmitri"))
    card_update = [
        c for c in running_bot.standin.calls("chat.update") if "Appeal on case" in c.args["text"]
    ][-1]
    assert CaseAction.APPEAL_UPHOLD not in json.dumps(card_update.args["blocks"])


def test_the_moderator_who_decided_cannot_decide_the_appeal(running_bot: RunningBot) -> None:
    action_id = decided(running_bot)
    submit_appeal(running_bot, action_id)

    response = review(running_bot, "ada", overturn=True)

    assert "made the original decision" in running_bot.standin.responses()[-1].body["text"]
    assert response.json()["response_action"] == "update"
    [appeal] = appeals(running_bot)
    assert appeal.status == AppealStatus.OPEN
    assert "auth.recused" in audit_actions(running_bot)


def test_a_non_moderator_cannot_decide_an_appeal(running_bot: RunningBot) -> None:
    action_id = decided(running_bot)
    submit_appeal(running_bot, action_id)

    review(running_bot, "bob", overturn=True)

    [appeal] = appeals(running_bot)
    assert appeal.status == AppealStatus.OPEN
    assert audit_actions(running_bot).count("auth.refused") == 2


def test_one_open_appeal_per_action_and_none_after_review(running_bot: RunningBot) -> None:
    action_id = decided(running_bot)
    submit_appeal(running_bot, action_id)

    press_appeal(running_bot)
    assert "already with the moderators" in running_bot.standin.responses()[-1].body["text"]
    again = submit_appeal(running_bot, action_id, "and another thing")
    assert "already with the moderators" in json.dumps(again.json()["view"])
    assert len(appeals(running_bot)) == 1

    review(running_bot, "carla", overturn=False)
    press_appeal(running_bot)
    assert "already been reviewed" in running_bot.standin.responses()[-1].body["text"]


def test_appeals_after_the_window_are_refused_kindly(running_bot: RunningBot) -> None:
    decided(running_bot)
    running_bot.clock.advance(timedelta(days=31))

    press_appeal(running_bot)

    assert "Appeals are open for 30 days" in running_bot.standin.responses()[-1].body["text"]
    assert appeals(running_bot) == []
    assert running_bot.standin.calls("views.open") == []


def test_only_the_member_can_appeal_their_decision(running_bot: RunningBot) -> None:
    decided(running_bot)

    press_appeal(running_bot, user="bob")

    assert "Only the member" in running_bot.standin.responses()[-1].body["text"]


def test_an_empty_appeal_is_returned_with_a_hint(running_bot: RunningBot) -> None:
    action_id = decided(running_bot)

    response = submit_appeal(running_bot, action_id, "   ")

    assert DecisionBlock.APPEAL_TEXT in response.json()["errors"]
    assert appeals(running_bot) == []


class TestLeadershipChannel:
    @pytest.fixture
    def community(self) -> CommunitySettings:
        base = CommunitySettings()
        return replace(
            base,
            channels=replace(base.channels, moderators="moderators"),
            moderators=ModeratorSettings(usergroup="moderators"),
            appeals=AppealSettings(channel="random"),
        )

    def test_appeals_go_to_the_configured_leadership_channel(self, running_bot: RunningBot) -> None:
        action_id = decided(running_bot)

        submit_appeal(running_bot, action_id)

        assert appeal_card(running_bot, "random")
        assert not [
            m for m in running_bot.standin.messages("moderators") if "Appeal on" in m["text"]
        ]
