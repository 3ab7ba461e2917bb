"""Enforcement backends against the Slack stand-in.

`channels`: a case is opened the real way (dmitri posts someone's phone number in #random),
ada decides a ban on its card, and the bot (built by `build_app`, so through the backend
factory) removes dmitri from the channels it shares with him; lifting (called directly, as
the timed expiry will) puts him back. `scim`: the backend alone against the stand-in's SCIM
endpoint, with the workspace owner's token.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.enforcement import (
    ChannelsBackend,
    EnforcementBackend,
    EnforcementRequest,
    ScimBackend,
    build_backend,
)
from bot.services.decision_effects import carry_out_lift
from bot.settings import (
    ChannelSettings,
    CommunitySettings,
    ConfigError,
    EnforcementSettings,
    ModeratorSettings,
)
from models import ActionStatus, AuditEvent, EnforcementAction, RemovedMembership
from moderation.ids import ActionLevel
from tests.integration.case_steps import decide, decision_values, open_case
from tests.integration.harness import RunningBot, bot_settings
from tests.slack_standin import Fault, SlackStandIn
from tests.slack_standin.payloads import member_joined_channel_event, message_event

PLUG = (
    "Excited to launch my new course on responsible AI! Sign up at https://learn.example.com "
    "and use code ATIH20 for 20% off, enrolment closes Friday."
)


def channels_community() -> CommunitySettings:
    return CommunitySettings(
        channels=ChannelSettings(moderators="moderators"),
        moderators=ModeratorSettings(usergroup="moderators"),
        enforcement=EnforcementSettings(backend="channels"),
    )


@pytest.fixture
def community() -> CommunitySettings:
    return channels_community()


@pytest.fixture
def shared(slack_standin: SlackStandIn) -> dict[str, str]:
    """dmitri's channels: two the bot shares with him (besides #general-discussions, which
    cannot be left, and #random), one private, and one the bot is not in."""
    return {
        "lab": slack_standin.add_channel("lab", members=("ada", "dmitri"), is_private=True),
        "book-club": slack_standin.add_channel("book-club", members=("alice", "dmitri")),
        "no-bot": slack_standin.add_channel("no-bot", members=("bob", "dmitri"), bot_member=False),
    }


def ban(bot: RunningBot, level: ActionLevel = ActionLevel.TEMPORARY_BAN) -> EnforcementAction:
    case = open_case(bot)
    days = 7 if level is ActionLevel.TEMPORARY_BAN else None
    decide(bot, case, "ada", decision_values(level, days=days, justification="x"))
    with bot.services.session_factory() as session:
        action = session.scalars(
            select(EnforcementAction).where(EnforcementAction.case_id == case.id)
        ).one()
        session.expunge(action)
        return action


def reload(bot: RunningBot, action_id: int) -> EnforcementAction:
    with bot.services.session_factory() as session:
        action = session.get(EnforcementAction, action_id)
        assert action is not None
        session.expunge(action)
        return action


def removed(bot: RunningBot, action_id: int) -> dict[str, RemovedMembership]:
    with bot.services.session_factory() as session:
        rows = session.scalars(
            select(RemovedMembership).where(RemovedMembership.action_id == action_id)
        ).all()
        for row in rows:
            session.expunge(row)
        return {row.channel_id: row for row in rows}


def steps(bot: RunningBot, action_id: int) -> dict[str, dict[str, Any]]:
    """The action's steps by name (the last one of each name)."""
    return {s["step"]: s for s in reload(bot, action_id).enforcement_steps}


def backend_of(bot: RunningBot) -> EnforcementBackend:
    return build_backend(bot.settings, bot.services.client, bot.services.session_factory)


def lift(bot: RunningBot, action_id: int) -> None:
    carry_out_lift(bot.services, backend_of(bot), action_id)


def test_the_factory_gives_the_running_bot_the_channels_backend(running_bot: RunningBot) -> None:
    backend = backend_of(running_bot)
    assert isinstance(backend, ChannelsBackend)
    assert not backend.deletes_messages  # no admin token in this deployment


def test_temporary_ban_removes_the_member_from_every_channel_the_bot_shares_with_them(
    running_bot: RunningBot, shared: dict[str, str]
) -> None:
    standin = running_bot.standin
    random = standin.channel_id("random")

    action = ban(running_bot)

    assert action.backend == "channels"
    for channel in (random, shared["lab"], shared["book-club"]):
        assert not standin.is_member(channel, "dmitri")
    assert standin.is_member(shared["no-bot"], "dmitri")  # the bot is not in it
    assert standin.is_member("general-discussions", "dmitri")  # cannot be left
    assert standin.is_member("random", "alice")  # nobody else is touched
    rows = removed(running_bot, action.id)
    assert set(rows) == {random, shared["lab"], shared["book-club"]}
    assert all(
        r.restored_at is None and r.removed_at == running_bot.clock.now() for r in rows.values()
    )
    recorded = steps(running_bot, action.id)
    assert recorded[f"conversations.kick {random}"]["ok"] is True
    general = recorded[f"conversations.kick {standin.channel_id('general-discussions')}"]
    assert general["ok"] is False
    assert general["detail"] == "cant_kick_from_general"
    card = str(standin.last("chat.update").args["blocks"])
    assert "Not done on Slack, do it by hand" in card and "cant_kick_from_general" in card
    kicked = [c.args["channel"] for c in standin.calls("conversations.kick") if c.ok]
    assert sorted(kicked) == sorted([random, shared["lab"], shared["book-club"]])
    assert "enforcement.requested" in audit_actions(running_bot)


def test_lift_restores_every_removed_membership_once(
    running_bot: RunningBot, shared: dict[str, str]
) -> None:
    standin = running_bot.standin
    action = ban(running_bot)
    running_bot.clock.advance(timedelta(days=7))

    lift(running_bot, action.id)
    lift(running_bot, action.id)

    for channel in ("random", shared["lab"], shared["book-club"]):
        assert standin.is_member(channel, "dmitri")
    rows = removed(running_bot, action.id)
    assert all(r.restored_at == running_bot.clock.now() for r in rows.values())
    assert all(r.restore_error is None for r in rows.values())
    assert len(standin.calls("conversations.invite")) == 3  # the second lift had nothing left
    names = [s["step"] for s in reload(running_bot, action.id).enforcement_steps]
    assert names.count("nothing_to_restore") == 1


def test_a_500_on_invite_is_retried_and_the_membership_restored(
    running_bot: RunningBot, shared: dict[str, str]
) -> None:
    standin = running_bot.standin
    action = ban(running_bot)
    standin.inject("conversations.invite", Fault.http_status(500))

    lift(running_bot, action.id)

    statuses = [c.status for c in standin.calls("conversations.invite")]
    assert statuses[0] == 500 and statuses.count(200) == 3
    assert standin.is_member("random", "dmitri")
    assert all(r.restored_at is not None for r in removed(running_bot, action.id).values())
    assert all(s["ok"] for s in reload(running_bot, action.id).enforcement_steps[-3:])


def test_an_invite_that_fails_for_good_is_recorded_and_finished_by_the_next_lift(
    running_bot: RunningBot, shared: dict[str, str]
) -> None:
    standin = running_bot.standin
    random = standin.channel_id("random")
    action = ban(running_bot)
    standin.inject("conversations.invite", Fault.api_error("cant_invite"))

    lift(running_bot, action.id)

    rows = removed(running_bot, action.id)
    [failed] = [r for r in rows.values() if r.restored_at is None]
    assert failed.restore_error == "cant_invite"
    step = steps(running_bot, action.id)[f"conversations.invite {failed.channel_id}"]
    assert step == {
        "step": f"conversations.invite {failed.channel_id}",
        "ok": False,
        "at": running_bot.clock.now().isoformat(),
        "detail": "cant_invite",
    }
    assert not standin.is_member(failed.channel_id, "dmitri")
    lifted = audit_details(running_bot, "enforcement.lifted")
    assert lifted[-1]["failed"] == [f"conversations.invite {failed.channel_id}"]

    lift(running_bot, action.id)  # after a crash or by hand: finishes what is left

    assert standin.is_member(failed.channel_id, "dmitri")
    assert removed(running_bot, action.id)[failed.channel_id].restore_error is None
    assert len(standin.calls("conversations.invite")) == 4
    assert random in rows


def test_someone_already_back_in_a_channel_counts_as_restored(
    running_bot: RunningBot, shared: dict[str, str]
) -> None:
    standin = running_bot.standin
    action = ban(running_bot)
    standin.add_member("random", "dmitri")  # a moderator added him back by hand

    lift(running_bot, action.id)

    row = removed(running_bot, action.id)[standin.channel_id("random")]
    assert row.restored_at is not None and row.restore_error is None
    step = steps(running_bot, action.id)[f"conversations.invite {standin.channel_id('random')}"]
    assert step["ok"] is True and step["detail"] == "already_in_channel"


def test_a_workspace_that_stops_apps_removing_members_is_recorded_and_nothing_kept(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    standin.configure(restrict_bot_kicks=True)

    action = ban(running_bot, ActionLevel.PERMANENT_BAN)

    assert standin.is_member("random", "dmitri")
    assert removed(running_bot, action.id) == {}
    step = steps(running_bot, action.id)[f"conversations.kick {standin.channel_id('random')}"]
    assert step["ok"] is False and step["detail"] == "restricted_action"


def join(bot: RunningBot, channel: str, user: str) -> None:
    """`user` joins `channel` on Slack, and Slack tells the bot."""
    standin = bot.standin
    standin.add_member(channel, user)
    event = member_joined_channel_event(standin.channel_id(channel), standin.user_id(user))
    assert bot.delivery.event(event).status == 200
    bot.drain()


def test_a_banned_member_who_joins_a_channel_again_is_removed_and_put_back_at_the_lift(
    running_bot: RunningBot, shared: dict[str, str]
) -> None:
    standin = running_bot.standin
    action = ban(running_bot)
    open_channel = standin.add_channel("open-mic", members=("alice",))

    join(running_bot, "open-mic", "dmitri")

    assert not standin.is_member(open_channel, "dmitri")
    assert removed(running_bot, action.id)[open_channel].restored_at is None
    assert steps(running_bot, action.id)[f"conversations.kick {open_channel}"]["ok"] is True
    [details] = audit_details(running_bot, "enforcement.rejoin_removed")
    assert details == {"action_id": action.id, "channel": open_channel, "error": None}

    running_bot.clock.advance(timedelta(days=7))
    lift(running_bot, action.id)
    assert standin.is_member(open_channel, "dmitri")  # he had chosen to be there


def test_members_without_a_ban_join_channels_undisturbed(
    running_bot: RunningBot, shared: dict[str, str]
) -> None:
    standin = running_bot.standin
    action = ban(running_bot)
    with running_bot.services.session_factory.begin() as session:
        row = session.get(EnforcementAction, action.id)
        assert row is not None
        row.status = ActionStatus.LIFTED
    standin.reset_calls()

    join(running_bot, "book-club", "dmitri")  # his ban is over
    join(running_bot, "lab", "alice")  # never banned

    assert standin.calls("conversations.kick") == []
    assert standin.is_member(shared["book-club"], "dmitri")
    assert standin.is_member(shared["lab"], "alice")
    assert audit_details(running_bot, "enforcement.rejoin_removed") == []


def test_a_rejoin_that_cannot_be_undone_shows_on_the_case_card(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    action = ban(running_bot)
    standin.configure(restrict_bot_kicks=True)  # an admin changed the workspace's preference
    standin.reset_calls()

    join(running_bot, "random", "dmitri")

    random = standin.channel_id("random")
    assert standin.is_member(random, "dmitri")
    step = steps(running_bot, action.id)[f"conversations.kick {random}"]
    assert step["ok"] is False and step["detail"] == "restricted_action"
    [details] = audit_details(running_bot, "enforcement.rejoin_remove_failed")
    assert details["error"] == "restricted_action"
    card = str(standin.last("chat.update").args["blocks"])
    assert "Not done on Slack, do it by hand" in card and "restricted_action" in card


def test_a_warning_needs_nothing_on_slack(running_bot: RunningBot) -> None:
    case = open_case(running_bot)
    decide(running_bot, case, "ada", decision_values(ActionLevel.WARNING, justification="x"))
    with running_bot.services.session_factory() as session:
        action = session.scalars(select(EnforcementAction)).one()
    assert [s["step"] for s in action.enforcement_steps] == ["nothing_to_do"]
    assert running_bot.standin.calls("conversations.kick") == []


class TestWithAnAdminToken:
    @pytest.fixture
    def admin_user_token(self, slack_standin: SlackStandIn) -> str | None:
        return slack_standin.admin_token

    def test_a_banned_members_new_message_is_deleted_with_the_admin_token_and_audited(
        self, running_bot: RunningBot
    ) -> None:
        standin = running_bot.standin
        action = ban(running_bot)
        general = standin.channel_id("general-discussions")
        ts = standin.add_message(general, "dmitri", PLUG)
        standin.reset_calls()

        event = message_event(general, standin.user_id("dmitri"), PLUG, ts=ts)
        assert running_bot.delivery.event(event).status == 200
        running_bot.drain()

        assert standin.message(general, ts) is None
        [delete] = standin.calls("chat.delete")
        assert delete.token == standin.admin_token and delete.ok
        assert standin.ephemerals(general, user="dmitri") == []  # not nudged
        [details] = audit_details(running_bot, "enforcement.message_deleted")
        assert details == {"action_id": action.id, "channel": general, "ts": ts, "error": None}
        assert PLUG not in repr(details)

    def test_other_members_messages_and_the_banned_members_dms_are_left_alone(
        self, running_bot: RunningBot
    ) -> None:
        standin = running_bot.standin
        ban(running_bot)
        general = standin.channel_id("general-discussions")
        ts = standin.add_message(general, "alice", "Good morning everyone")
        dm = standin.dm_id("dmitri")
        dm_ts = standin.add_message(dm, "dmitri", "I would like to appeal")
        for event in (
            message_event(general, standin.user_id("alice"), "Good morning everyone", ts=ts),
            message_event(
                dm, standin.user_id("dmitri"), "I would like to appeal", ts=dm_ts, channel_type="im"
            ),
        ):
            assert running_bot.delivery.event(event).status == 200
        running_bot.drain()

        assert standin.calls("chat.delete") == []
        assert standin.message(general, ts) is not None
        assert standin.message(dm, dm_ts) is not None

    def test_a_lifted_ban_no_longer_deletes(self, running_bot: RunningBot) -> None:
        standin = running_bot.standin
        action = ban(running_bot)
        with running_bot.services.session_factory.begin() as session:
            row = session.get(EnforcementAction, action.id)
            assert row is not None
            row.status = ActionStatus.LIFTED
        general = standin.channel_id("general-discussions")
        ts = standin.add_message(general, "dmitri", "Thanks for having me back")
        event = message_event(
            general, standin.user_id("dmitri"), "Thanks for having me back", ts=ts
        )
        assert running_bot.delivery.event(event).status == 200
        running_bot.drain()

        assert standin.calls("chat.delete") == []


def test_scim_without_an_admin_token_stops_the_bot_at_start_up(
    running_bot: RunningBot,
) -> None:
    community = replace(channels_community(), enforcement=EnforcementSettings(backend="scim"))
    settings = bot_settings(running_bot.standin, "secret", community)

    with pytest.raises(ConfigError) as raised:
        build_backend(settings, running_bot.services.client, running_bot.services.session_factory)

    assert raised.value.key == "SLACK_ADMIN_USER_TOKEN"
    assert "SLACK_ADMIN_USER_TOKEN" in str(raised.value)


# ---------------------------------------------------------------------------------- scim


def scim_request(
    user_id: str, level: ActionLevel = ActionLevel.TEMPORARY_BAN
) -> EnforcementRequest:
    return EnforcementRequest(
        action_id=1,
        case_id=1,
        level=level,
        member_user_id=user_id,
        ends_at=None,
        no_contact_user_ids=(),
        card_channel_id=None,
        card_ts=None,
    )


NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def scim_backend(slack_standin: SlackStandIn) -> ScimBackend:
    community = replace(channels_community(), enforcement=EnforcementSettings(backend="scim"))
    settings = bot_settings(slack_standin, "secret", community, slack_standin.admin_token)
    backend = build_backend(settings, None, None)  # type: ignore[arg-type]
    assert isinstance(backend, ScimBackend)
    return backend


def test_scim_deactivates_on_ban_and_reactivates_on_lift(
    slack_standin: SlackStandIn, scim_backend: ScimBackend
) -> None:
    dmitri = slack_standin.user_id("dmitri")

    [step] = scim_backend.carry_out(scim_request(dmitri), NOW)
    assert step.step == "scim.deactivate" and step.ok
    assert slack_standin.user("dmitri")["deleted"] is True
    [patch] = slack_standin.calls(f"scim.PATCH /Users/{dmitri}")
    assert patch.token == slack_standin.admin_token
    assert patch.args["active"] is False

    [again] = scim_backend.carry_out(scim_request(dmitri), NOW)  # idempotent
    assert again.ok and slack_standin.user("dmitri")["deleted"] is True

    [lifted] = scim_backend.lift(scim_request(dmitri), NOW)
    assert lifted.step == "scim.reactivate" and lifted.ok
    assert slack_standin.user("dmitri")["deleted"] is False
    [twice] = scim_backend.lift(scim_request(dmitri), NOW)
    assert twice.ok and slack_standin.user("dmitri")["deleted"] is False


def test_scim_retries_a_500_and_records_what_still_fails(
    slack_standin: SlackStandIn, scim_backend: ScimBackend
) -> None:
    dmitri = slack_standin.user_id("dmitri")
    slack_standin.inject("scim.PATCH", Fault.http_status(500))

    [step] = scim_backend.carry_out(scim_request(dmitri), NOW)

    assert step.ok and slack_standin.user("dmitri")["deleted"] is True
    assert [c.status for c in slack_standin.calls(f"scim.PATCH /Users/{dmitri}")] == [500, 200]

    slack_standin.configure(scim_available=False)  # a plan without SCIM
    [failed] = scim_backend.lift(scim_request(dmitri), NOW)
    assert not failed.ok
    assert failed.detail == "http_403 scim_not_available_for_plan"
    assert slack_standin.user("dmitri")["deleted"] is True


def test_scim_does_nothing_for_a_correction(
    slack_standin: SlackStandIn, scim_backend: ScimBackend
) -> None:
    request = scim_request(slack_standin.user_id("dmitri"), ActionLevel.CORRECTION)
    assert [s.step for s in scim_backend.carry_out(request, NOW)] == ["nothing_to_do"]
    assert [s.step for s in scim_backend.lift(request, NOW)] == ["nothing_to_do"]
    assert slack_standin.calls() == []


# ---------------------------------------------------------------------------------- helpers


def audit_actions(bot: RunningBot) -> list[str]:
    with bot.services.session_factory() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def audit_details(bot: RunningBot, verb: str) -> list[dict[str, Any]]:
    with bot.services.session_factory() as session:
        return [
            dict(d)
            for d in session.scalars(
                select(AuditEvent.details).where(AuditEvent.action == verb).order_by(AuditEvent.id)
            )
        ]
