"""Nudges: what a member sees when the engine finds something in their message.

Everything goes through the real path: a signed `message` event, the real engine (encoder and
heads), the database, and `chat.postEphemeral` on the Slack stand-in.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.ids import ActionId
from bot.settings import CommunitySettings, NudgeSettings
from models import AuditEvent, Case, Detection, Mode, Nudge, NudgeStatus, PolicyId, Response
from moderation.config import PolicyThresholds
from tests.integration.harness import RunningBot
from tests.slack_standin import Fault
from tests.slack_standin.payloads import message_event, now_ts

PLUG = (
    "Excited to launch my new course on responsible AI! Sign up at https://learn.example.com "
    "and use code ATIH20 for 20% off, enrolment closes Friday."
)
OTHERS_PHONE = (
    "Here is Maria's personal cell, +1 415 555 0132 - everyone call her and tell her what you think"
)
ORDINARY = "Thanks for the thoughtful panel yesterday, the point about audit trails stuck with me."


def send(bot: RunningBot, channel: str, user: str, text: str, **kwargs: Any) -> dict[str, Any]:
    event = message_event(
        bot.standin.channel_id(channel), bot.standin.user_id(user), text, **kwargs
    )
    assert bot.delivery.event(event).status == 200
    bot.drain()
    return event


def detections(bot: RunningBot) -> list[Detection]:
    with bot.services.session_factory() as session:
        return list(session.scalars(select(Detection).order_by(Detection.id)))


def nudges(bot: RunningBot) -> list[Nudge]:
    with bot.services.session_factory() as session:
        return list(session.scalars(select(Nudge).order_by(Nudge.id)))


def button(ephemeral: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in ephemeral.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return dict(element)
    raise AssertionError(f"no {action_id} button")


def click(bot: RunningBot, ephemeral: dict[str, Any], action_id: str, user: str = "alice") -> None:
    value = button(ephemeral, action_id)["value"]
    response = bot.delivery.block_action(
        action_id,
        value,
        user,
        message={"type": "message", "ts": ephemeral["ts"], "text": ephemeral["text"]},
        channel=ephemeral["channel"],
        container={
            "type": "message",
            "message_ts": ephemeral["ts"],
            "channel_id": ephemeral["channel"],
            "is_ephemeral": True,
        },
    )
    assert response.status == 200
    bot.drain()


def test_plug_outside_the_plugs_channel_gets_a_private_nudge_with_two_buttons(
    running_bot: RunningBot,
) -> None:
    send(running_bot, "general-discussions", "alice", PLUG)

    [ephemeral] = running_bot.standin.ephemerals(user="alice")
    assert ephemeral["channel"] == running_bot.standin.channel_id("general-discussions")
    rendered = str(ephemeral["blocks"])
    assert "<#C0PLUGS>" in rendered, "the nudge points to where plugs belong"
    assert button(ephemeral, ActionId.NUDGE_GOT_IT)["text"]["text"] == "Got it"
    assert button(ephemeral, ActionId.NUDGE_NOT_A_MATCH)["text"]["text"] == "This isn't a plug"
    [detection] = detections(running_bot)
    assert detection.policy == PolicyId.SELF_PROMOTION
    assert detection.response == Response.NUDGE
    assert detection.excerpt is not None and "responsible AI" in detection.excerpt
    [nudge] = nudges(running_bot)
    assert nudge.status == NudgeStatus.SENT
    assert not running_bot.standin.messages("general-discussions"), "nothing public is posted"


def test_plug_in_the_plugs_channel_is_left_alone(running_bot: RunningBot) -> None:
    send(running_bot, "shameless-plugs", "alice", PLUG)

    assert running_bot.standin.ephemerals() == []
    assert detections(running_bot) == []


def test_ordinary_message_gets_no_nudge(running_bot: RunningBot) -> None:
    send(running_bot, "general-discussions", "bob", ORDINARY)

    assert running_bot.standin.ephemerals() == []
    assert detections(running_bot) == []


def test_nudge_for_a_thread_reply_is_shown_in_the_thread(running_bot: RunningBot) -> None:
    parent = now_ts()
    send(running_bot, "random", "alice", PLUG, thread_ts=parent)

    [ephemeral] = running_bot.standin.ephemerals(user="alice")
    assert ephemeral["thread_ts"] == parent


def test_second_finding_within_the_window_is_recorded_but_not_sent(
    running_bot: RunningBot,
) -> None:
    send(running_bot, "general-discussions", "alice", PLUG)
    running_bot.clock.advance(timedelta(hours=3))
    send(running_bot, "random", "alice", PLUG + " Last call!")

    assert len(running_bot.standin.ephemerals(user="alice")) == 1
    assert [n.status for n in nudges(running_bot)] == [NudgeStatus.SENT, NudgeStatus.SUPPRESSED]
    assert len(detections(running_bot)) == 2

    running_bot.clock.advance(timedelta(hours=22))
    send(running_bot, "random", "alice", PLUG + " Really the last call.")

    assert len(running_bot.standin.ephemerals(user="alice")) == 2, "a new window, a new nudge"


def test_rate_limit_is_per_member(running_bot: RunningBot) -> None:
    send(running_bot, "general-discussions", "alice", PLUG)
    send(running_bot, "general-discussions", "bob", PLUG)

    assert len(running_bot.standin.ephemerals(user="alice")) == 1
    assert len(running_bot.standin.ephemerals(user="bob")) == 1


def test_got_it_acknowledges_and_removes_the_note(running_bot: RunningBot) -> None:
    send(running_bot, "general-discussions", "alice", PLUG)
    [ephemeral] = running_bot.standin.ephemerals(user="alice")

    click(running_bot, ephemeral, ActionId.NUDGE_GOT_IT)

    [nudge] = nudges(running_bot)
    assert nudge.acknowledged_at == running_bot.clock.now()
    assert running_bot.standin.responses()[-1].body.get("delete_original") is True


def test_not_a_match_stores_feedback_for_moderators_and_thanks_the_member(
    running_bot: RunningBot,
) -> None:
    send(running_bot, "general-discussions", "alice", PLUG)
    [ephemeral] = running_bot.standin.ephemerals(user="alice")

    click(running_bot, ephemeral, ActionId.NUDGE_NOT_A_MATCH)

    [detection] = detections(running_bot)
    assert detection.false_positive_at == running_bot.clock.now()
    assert detection.false_positive_by_id == detection.member_id
    reply = running_bot.standin.responses()[-1].body
    assert reply.get("replace_original") is True
    assert "Thank you" in reply["text"]
    with running_bot.services.session_factory() as session:
        actions = list(session.scalars(select(AuditEvent.action)))
    assert "detection.disputed" in actions


def test_someone_elses_nudge_button_is_refused(running_bot: RunningBot) -> None:
    send(running_bot, "general-discussions", "alice", PLUG)
    [ephemeral] = running_bot.standin.ephemerals(user="alice")

    click(running_bot, ephemeral, ActionId.NUDGE_NOT_A_MATCH, user="bob")

    [detection] = detections(running_bot)
    assert detection.false_positive_at is None
    assert "meant for someone else" in running_bot.standin.responses()[-1].body["text"]


def test_edited_message_is_checked_again_but_never_nudged_twice_for_one_policy(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    channel, alice = standin.channel_id("random"), standin.user_id("alice")
    original = send(running_bot, "random", "alice", "Working on something new, more soon")
    assert standin.ephemerals() == []

    def edit(old: str, new: str) -> None:
        event = message_event(
            channel,
            alice,
            "",
            subtype="message_changed",
            message={"type": "message", "user": alice, "text": new, "ts": original["ts"]},
            previous_message={"type": "message", "user": alice, "text": old, "ts": original["ts"]},
        )
        event.pop("user")
        assert running_bot.delivery.event(event).status == 200
        running_bot.drain()

    edit("Working on something new, more soon", PLUG)
    assert len(standin.ephemerals(user="alice")) == 1
    running_bot.clock.advance(timedelta(days=3))
    edit(PLUG, PLUG + " (edited: fixed the link)")

    assert len(standin.ephemerals(user="alice")) == 1, "same message, same policy: one nudge"
    assert len(detections(running_bot)) == 1


def test_failed_ephemeral_post_keeps_the_detection_and_marks_the_nudge_failed(
    running_bot: RunningBot,
) -> None:
    running_bot.standin.inject("chat.postEphemeral", Fault.http_status(500), times=5)

    send(running_bot, "general-discussions", "alice", PLUG)

    [detection] = detections(running_bot)
    assert detection.policy == PolicyId.SELF_PROMOTION
    [nudge] = nudges(running_bot)
    assert nudge.status == NudgeStatus.FAILED


def test_direct_messages_to_the_bot_are_not_checked(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    dm = standin.dm_id("alice")
    event = message_event(dm, standin.user_id("alice"), PLUG, channel_type="im")
    assert running_bot.delivery.event(event).status == 200
    running_bot.drain()

    assert standin.ephemerals() == []
    assert detections(running_bot) == []


def test_someone_elses_phone_number_is_nudged_and_opens_a_case(running_bot: RunningBot) -> None:
    send(running_bot, "random", "dmitri", OTHERS_PHONE)

    assert len(running_bot.standin.ephemerals(user="dmitri")) == 1
    [detection] = detections(running_bot)
    assert detection.policy == PolicyId.PRIVATE_INFO
    assert detection.response == Response.NUDGE_FLAG
    with running_bot.services.session_factory() as session:
        [case] = session.scalars(select(Case))
    assert detection.case_id == case.id
    [card] = running_bot.standin.messages("moderators")
    assert f"Case #{case.id}" in card["text"]
    assert case.card_ts == card["ts"]


class TestShadowMode:
    @pytest.fixture
    def community(self) -> CommunitySettings:
        base = CommunitySettings()
        return replace(
            base,
            mode=Mode.SHADOW,
            channels=replace(base.channels, moderators="moderators"),
        )

    def test_shadow_mode_sends_nothing_and_records_what_would_have_been_nudged(
        self, running_bot: RunningBot
    ) -> None:
        send(running_bot, "general-discussions", "alice", PLUG)

        assert running_bot.standin.ephemerals() == []
        [detection] = detections(running_bot)
        assert detection.mode == Mode.SHADOW
        [nudge] = nudges(running_bot)
        assert nudge.status == NudgeStatus.SHADOW


class TestExemptions:
    @pytest.fixture
    def community(self) -> CommunitySettings:
        base = CommunitySettings()
        return replace(
            base,
            channels=replace(base.channels, moderators="moderators"),
            nudges=NudgeSettings(exempt_user_ids={PolicyId.SELF_PROMOTION: frozenset({"U0ADA"})}),
        )

    def test_exempt_member_is_not_nudged_but_the_detection_is_kept(
        self, running_bot: RunningBot
    ) -> None:
        send(running_bot, "general-discussions", "ada", PLUG)

        assert running_bot.standin.ephemerals() == []
        assert [d.policy for d in detections(running_bot)] == [PolicyId.SELF_PROMOTION]
        assert nudges(running_bot) == []


class TestFlagOnly:
    @pytest.fixture
    def community(self) -> CommunitySettings:
        base = CommunitySettings()
        policies = dict(base.policies)
        policies[PolicyId.PRIVATE_INFO] = PolicyThresholds(True, None, 0.80)
        return replace(
            base, policies=policies, channels=replace(base.channels, moderators="moderators")
        )

    def test_flag_goes_to_moderators_and_the_member_is_not_told(
        self, running_bot: RunningBot
    ) -> None:
        send(running_bot, "random", "dmitri", OTHERS_PHONE)

        assert running_bot.standin.ephemerals() == []
        [detection] = detections(running_bot)
        assert detection.response == Response.FLAG
        assert len(running_bot.standin.messages("moderators")) == 1
        dms = [
            m
            for m in running_bot.standin.calls("chat.postMessage")
            if m.args.get("channel", "").startswith("D")
        ]
        assert dms == []
