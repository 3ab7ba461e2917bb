"""Real-name onboarding through the running app: team_join, user_change, first message, the
sweep over users.list, shadow mode and the scheduler. Shapes: shared/slack-notes.md §3, §10.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.enforcement import NotifyBackend
from bot.scheduler import FIRST_SWEEP_DELAY, NAMES_SWEEP_JOB, build_scheduler
from bot.services.members import Profile
from bot.services.names import Sent, check_member_names, sweep_member_names
from bot.settings import (
    ChannelSettings,
    CommunitySettings,
    OnboardingSettings,
    parse_community,
)
from models import AuditEvent, Member, NameCheckStatus
from moderation.ids import Mode
from tests.integration.harness import RunningBot
from tests.slack_standin import Fault, SlackStandIn
from tests.slack_standin.payloads import message_event

PROFILE_URL = "https://atih.slack.com/account/profile"


# --------------------------------------------------------------------------- helpers


def join(bot: RunningBot, user_id: str, event_id: str | None = None) -> None:
    event = {"type": "team_join", "user": bot.standin.user(user_id)}
    assert bot.delivery.event(event, event_id=event_id).status == 200
    bot.drain()


def change_profile(bot: RunningBot, user_id: str, real_name: str, display_name: str = "") -> None:
    """The member edits their profile; Slack sends user_change with the new user object."""
    with bot.standin.lock:
        record = bot.standin.user_records[user_id]
        record.real_name = real_name
        record.display_name = display_name
    event = {"type": "user_change", "user": bot.standin.user(user_id)}
    assert bot.delivery.event(event).status == 200
    bot.drain()


def dms(standin: SlackStandIn, user_id: str) -> list[dict[str, Any]]:
    if not standin.has_dm(standin.bot_user_id, user_id):
        return []
    return standin.messages(standin.dm_id(user_id))


def member(bot: RunningBot, user_id: str) -> Member | None:
    with bot.services.session_factory() as session:
        return session.scalar(select(Member).where(Member.slack_user_id == user_id))


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def sweep(bot: RunningBot, **options: Any) -> Any:
    options.setdefault("pause_seconds", 0)
    return sweep_member_names(bot.services, bot.settings.community, **options)


# --------------------------------------------------------------------------- team_join


@pytest.mark.parametrize("name", ["anon123", "Acme Inc"])
def test_new_member_with_anonymous_name_gets_one_note_with_a_profile_button(
    running_bot: RunningBot, name: str
) -> None:
    standin = running_bot.standin
    newcomer = standin.add_user("newcomer", name)

    join(running_bot, newcomer)

    notes = dms(standin, newcomer)
    assert len(notes) == 1
    assert "use their own name" in str(notes[0]["blocks"])
    assert [(b["action_id"], b["url"]) for b in buttons(notes[0])] == [
        ("name_open_profile", PROFILE_URL)
    ]
    recorded = member(running_bot, newcomer)
    assert recorded is not None
    assert recorded.name_check_status is NameCheckStatus.DM_SENT
    assert recorded.name_dm_sent_at == running_bot.clock.now()
    with running_bot.services.session_factory() as session:
        audit = session.scalars(select(AuditEvent.action)).all()
    assert "member.name_note_sent" in audit


def test_workspace_url_is_asked_once_and_cached(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    first, second = standin.add_user("first", "anon1"), standin.add_user("second", "user0042")
    standin.reset_calls()

    join(running_bot, first)
    join(running_bot, second)

    assert len(dms(standin, first)) == len(dms(standin, second)) == 1
    assert len(standin.calls("auth.test")) == 1


def test_without_workspace_url_the_note_has_steps_but_no_button(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    newcomer = standin.add_user("newcomer", "anon123")
    standin.inject("auth.test", Fault.api_error("invalid_auth"))

    join(running_bot, newcomer)

    notes = dms(standin, newcomer)
    assert len(notes) == 1
    assert buttons(notes[0]) == []
    assert "profile picture" in str(notes[0]["blocks"])


def test_redelivered_join_and_a_still_anonymous_profile_change_send_no_second_note(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    newcomer = standin.add_user("newcomer", "anon123")

    join(running_bot, newcomer, event_id="Ev0JOIN1")
    join(running_bot, newcomer, event_id="Ev0JOIN1")  # Slack's retry of the same delivery
    join(running_bot, newcomer)  # a second delivery with its own id
    change_profile(running_bot, newcomer, "anon1234")

    assert len(dms(standin, newcomer)) == 1
    assert len(standin.calls("chat.postMessage")) == 1
    recorded = member(running_bot, newcomer)
    assert recorded is not None and recorded.name_check_status is NameCheckStatus.DM_SENT


def test_simultaneous_checks_of_one_member_send_one_note(running_bot: RunningBot) -> None:
    """Two replicas (or a sweep and an event) checking the same member at once."""
    standin = running_bot.standin
    newcomer = standin.add_user("newcomer", "anon123")
    profile = Profile.from_user_object(standin.user(newcomer))
    services = running_bot.services
    results: list[Any] = []
    barrier = threading.Barrier(4)

    def check() -> None:
        barrier.wait()
        results.append(
            check_member_names(
                services, running_bot.settings.community, profile, services.clock.now()
            )
        )

    threads = [threading.Thread(target=check) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [r.sent for r in results].count(Sent.FIX_REQUEST) == 1
    assert len(dms(standin, newcomer)) == 1


def test_fixing_the_name_gets_one_thank_you(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    newcomer = standin.add_user("newcomer", "anon123")
    join(running_bot, newcomer)

    change_profile(running_bot, newcomer, "Priya Raman", "priya")
    change_profile(running_bot, newcomer, "Priya Raman", "Priya R.")  # another edit, still fine

    messages = dms(standin, newcomer)
    assert len(messages) == 2
    assert "Thank you" in messages[1]["text"]
    recorded = member(running_bot, newcomer)
    assert recorded is not None and recorded.name_check_status is NameCheckStatus.FIXED


def test_changing_back_to_an_anonymous_name_after_fixing_it_sends_nothing_more(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    newcomer = standin.add_user("newcomer", "anon123")
    join(running_bot, newcomer)
    change_profile(running_bot, newcomer, "Priya Raman")

    change_profile(running_bot, newcomer, "anon999")
    change_profile(running_bot, newcomer, "Priya Raman")

    assert len(dms(standin, newcomer)) == 2  # the note and one thank-you
    recorded = member(running_bot, newcomer)
    assert recorded is not None and recorded.name_check_status is NameCheckStatus.OK


@pytest.mark.parametrize("name", ["Zoë Ångström", "李小龙"])
def test_member_with_a_real_name_gets_no_note(running_bot: RunningBot, name: str) -> None:
    standin = running_bot.standin
    newcomer = standin.add_user("newcomer", name)

    join(running_bot, newcomer)

    assert standin.calls("conversations.open") == []
    assert standin.calls("chat.postMessage") == []
    recorded = member(running_bot, newcomer)
    assert recorded is not None
    assert recorded.real_name == name
    assert recorded.name_check_status is NameCheckStatus.OK


def test_guests_are_checked_like_members(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    guest = standin.add_user("guest", "Acme Inc", is_restricted=True)

    join(running_bot, guest)

    assert len(dms(standin, guest)) == 1


def test_bots_slackbot_and_deactivated_members_are_recorded_but_not_checked(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    bot_user = standin.add_user("helper", "helper3000", bot_id="B0HELPER")
    gone = standin.add_user("gone", "anon555")
    standin.set_user_deleted(gone)

    join(running_bot, bot_user)
    change_profile(running_bot, "USLACKBOT", "Slackbot", "slackbot")
    change_profile(running_bot, gone, "anon555")  # deactivation arrives as user_change

    assert standin.calls("conversations.open") == []
    for user_id in (bot_user, "USLACKBOT", gone):
        recorded = member(running_bot, user_id)
        assert recorded is not None
        assert recorded.name_check_status is None
    deleted = member(running_bot, gone)
    assert deleted is not None and deleted.is_deleted


@pytest.mark.parametrize(
    "community",
    [CommunitySettings(mode=Mode.SHADOW, channels=ChannelSettings(moderators="moderators"))],
)
def test_shadow_mode_records_the_status_but_sends_nothing(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    newcomer = standin.add_user("newcomer", "anon123")

    join(running_bot, newcomer)
    counts = sweep(running_bot)

    assert standin.calls("conversations.open") == []
    assert standin.calls("chat.postMessage") == []
    assert counts.notes_sent == 0 and counts.needs_fix == 1
    recorded = member(running_bot, newcomer)
    assert recorded is not None
    assert recorded.name_check_status is NameCheckStatus.NEEDS_FIX
    assert recorded.name_dm_sent_at is None


@pytest.mark.parametrize(
    "community",
    [
        CommunitySettings(
            channels=ChannelSettings(moderators="moderators"),
            onboarding=OnboardingSettings(enabled=False),
        )
    ],
)
def test_onboarding_switched_off_records_profiles_without_checking(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    newcomer = standin.add_user("newcomer", "anon123")

    join(running_bot, newcomer)

    assert standin.calls("conversations.open") == []
    recorded = member(running_bot, newcomer)
    assert recorded is not None and recorded.name_check_status is None


# --------------------------------------------------------------------------- first message


def test_first_message_of_a_member_never_checked_runs_the_check_once(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    old_timer = standin.add_user("oldtimer", "anon123")  # joined before the bot
    channel = standin.channel_id("random")

    running_bot.delivery.event(message_event(channel, old_timer, "hi all"))
    running_bot.drain()
    running_bot.delivery.event(message_event(channel, old_timer, "anyone around?"))
    running_bot.drain()

    assert len(dms(standin, old_timer)) == 1
    recorded = member(running_bot, old_timer)
    assert recorded is not None and recorded.name_check_status is NameCheckStatus.DM_SENT


def test_first_message_of_a_member_with_a_real_name_records_ok(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    alice = standin.user_id("alice")

    running_bot.delivery.event(message_event(standin.channel_id("random"), alice, "hello"))
    running_bot.drain()

    assert dms(standin, alice) == []
    recorded = member(running_bot, alice)
    assert recorded is not None and recorded.name_check_status is NameCheckStatus.OK


# --------------------------------------------------------------------------- the sweep


def test_sweep_over_several_pages_notes_only_members_who_need_it_and_survives_a_429(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    anonymous = [
        standin.add_user("a1", "anon123"),
        standin.add_user("a2", "Acme Inc"),
        standin.add_user("a3", "user0042"),
    ]
    for i, name in enumerate(["Priya Raman", "Tomás Rivera", "李小龙"]):
        standin.add_user(f"real{i}", name)
    standin.add_user("gone", "anon777", deleted=True)
    standin.add_user("helper", "helper3000", bot_id="B0HELPER")
    total = len(standin.user_records)
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 1:  # Slack says "slow down" in the middle of the sweep
            standin.inject("users.list", Fault.rate_limited(retry_after=0))

    counts = sweep(running_bot, page_size=5, pause_seconds=1.5, sleep=pause)

    pages = -(-total // 5)
    assert counts.complete
    assert counts.pages == pages
    assert counts.members == total
    assert counts.notes_sent == 3
    assert pauses == [1.5] * (pages - 1)
    calls = standin.calls("users.list")
    assert [c.args.get("limit") for c in calls] == ["5"] * (pages + 1)
    assert [c.status for c in calls].count(429) == 1
    assert calls[1].args["cursor"] == calls[2].args["cursor"]  # the same page, asked again
    noted = {c.args["users"] for c in standin.calls("conversations.open")}
    assert noted == set(anonymous)
    for user_id in (standin.user_id("frank"), "USLACKBOT", standin.bot_user_id):
        recorded = member(running_bot, user_id)
        assert recorded is not None and recorded.name_check_status is None


def test_a_second_sweep_sends_nothing_new(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    newcomer = standin.add_user("newcomer", "anon123")
    first = sweep(running_bot)
    running_bot.clock.advance(timedelta(days=1))

    second = sweep(running_bot)

    assert (first.notes_sent, second.notes_sent) == (1, 0)
    assert second.needs_fix == 1
    assert len(dms(standin, newcomer)) == 1


def test_sweep_reads_pages_of_200_members(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    for i in range(201):
        standin.add_user(f"member{i}", "Priya Raman")

    counts = sweep(running_bot)

    calls = standin.calls("users.list")
    assert [c.args.get("limit") for c in calls] == ["200", "200"]
    assert counts.pages == 2 and counts.complete
    assert counts.notes_sent == 0


def test_sweep_stops_cleanly_when_slack_keeps_refusing(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    standin.inject("users.list", Fault.rate_limited(retry_after=0), times=4)

    counts = sweep(running_bot)

    assert not counts.complete
    assert counts.pages == 0


# --------------------------------------------------------------------------- scheduling


def test_scheduler_runs_the_name_sweep_every_sweep_hours(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    newcomer = standin.add_user("newcomer", "anon123")
    settings = dataclasses.replace(
        running_bot.settings,
        community=dataclasses.replace(
            running_bot.settings.community, onboarding=OnboardingSettings(sweep_hours=6)
        ),
    )

    scheduler = build_scheduler(
        settings, running_bot.services, NotifyBackend(running_bot.services.client)
    )
    job = scheduler.get_job(NAMES_SWEEP_JOB)

    assert job is not None and not scheduler.running
    assert job.trigger.interval == timedelta(hours=6)
    assert job.next_run_time == running_bot.clock.now() + FIRST_SWEEP_DELAY
    job.func(*job.args)
    assert len(dms(standin, newcomer)) == 1


def test_scheduler_has_no_name_sweep_when_onboarding_is_off(running_bot: RunningBot) -> None:
    community = parse_community({"onboarding": {"enabled": False}})
    settings = dataclasses.replace(running_bot.settings, community=community)

    assert (
        build_scheduler(
            settings, running_bot.services, NotifyBackend(running_bot.services.client)
        ).get_job(NAMES_SWEEP_JOB)
        is None
    )


def test_names_sweep_command_runs_one_sweep(slack_standin: SlackStandIn, tmp_path: Path) -> None:
    newcomer = slack_standin.add_user("newcomer", "anon123")
    conduct = str(Path(sys.executable).parent / "conduct")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "CONDUCT_", "DATABASE_URL"))
    }
    env.update(
        SLACK_BOT_TOKEN=slack_standin.bot_token,
        SLACK_API_URL=slack_standin.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'c.db'}",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [conduct, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )

    assert run("db", "upgrade").returncode == 0
    result = run("names", "sweep")

    assert result.returncode == 0, result.stderr
    assert "1 need to fix their name; 1 notes" in result.stdout
    assert len(dms(slack_standin, newcomer)) == 1
    assert "anon123" not in result.stderr  # names never reach the logs
