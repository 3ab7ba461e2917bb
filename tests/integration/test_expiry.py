"""Temporary bans end on time, once: timers per ban, a sweep for what timers missed, lifts
claimed in the database, interrupted lifts finished, later decisions never undone."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.clock import SystemClock
from bot.enforcement import NotifyBackend
from bot.ids import CaseAction, CaseCallback, DecisionBlock
from bot.scheduler import build_scheduler, rebuild_ban_timers
from bot.services.ban_timers import BanTimers
from bot.services.expiry import finish_lift, lift_due_bans
from bot.settings import CommunitySettings, EnforcementSettings, ModeratorSettings
from models import ActionStatus, AuditEvent, EnforcementAction
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

LEASE = timedelta(seconds=120)


def temporary_ban(bot: RunningBot, days: int = 7, author: str = "dmitri", **kw: object) -> int:
    case = open_case(bot, author=author)
    decide(
        bot,
        case,
        "ada",
        decision_values(ActionLevel.TEMPORARY_BAN, days=days, justification="threats", **kw),  # type: ignore[arg-type]
    )
    return max(a.id for a in actions(bot))


def sweep(bot: RunningBot) -> None:
    services = bot.services
    lift_due_bans(services, NotifyBackend(services.client), bot.settings.community, LEASE)


def action(bot: RunningBot, action_id: int) -> EnforcementAction:
    with bot.services.session_factory() as session:
        found = session.get(EnforcementAction, action_id)
        assert found is not None
        return found


def ended_notices(bot: RunningBot, user: str = "dmitri") -> list[dict[str, object]]:
    return [m for m in dms_to(bot, user) if "temporary ban has ended" in str(m["text"])]


def test_a_decision_sets_a_timer_for_the_bans_end(running_bot: RunningBot) -> None:
    action_id = temporary_ban(running_bot)

    timers = running_bot.services.timers.scheduled()
    assert timers == {action_id: running_bot.clock.now() + timedelta(days=7)}


def test_the_sweep_lifts_an_ended_ban_once_and_tells_the_member(running_bot: RunningBot) -> None:
    action_id = temporary_ban(running_bot)
    running_bot.clock.advance(timedelta(days=6))
    sweep(running_bot)
    assert action(running_bot, action_id).status == ActionStatus.ACTIVE, "not yet"

    running_bot.clock.advance(timedelta(days=1, seconds=1))
    sweep(running_bot)
    sweep(running_bot)

    lifted = action(running_bot, action_id)
    assert lifted.status == ActionStatus.EXPIRED
    assert lifted.lifted_at == running_bot.clock.now()
    assert lifted.lift_finished_at == running_bot.clock.now()
    assert [s["step"] for s in lifted.enforcement_steps] == [
        "checklist_posted",
        "lift_checklist_posted",
    ]
    assert len(ended_notices(running_bot)) == 1
    assert audit_actions(running_bot).count("action.expired") == 1
    redrawn = str(running_bot.standin.last("chat.update").args["blocks"])
    assert "(expired)" in redrawn


def test_a_permanent_ban_decided_during_a_temporary_one_survives_its_end(
    running_bot: RunningBot,
) -> None:
    temporary = temporary_ban(running_bot)
    running_bot.clock.advance(timedelta(days=1))
    second = open_case(running_bot)
    decide(
        running_bot,
        second,
        "ada",
        decision_values(ActionLevel.PERMANENT_BAN, justification="posted her address"),
    )
    running_bot.clock.advance(timedelta(days=7))

    sweep(running_bot)

    assert action(running_bot, temporary).status == ActionStatus.EXPIRED
    permanent = max(a.id for a in actions(running_bot))
    assert action(running_bot, permanent).status == ActionStatus.ACTIVE
    assert ended_notices(running_bot) == [], "nothing is restored, so nothing is announced"
    assert "lift_checklist_posted" not in str(action(running_bot, temporary).enforcement_steps)
    assert "enforcement.lift_superseded" in audit_actions(running_bot)


def test_a_lift_interrupted_half_way_is_finished_after_the_lease(running_bot: RunningBot) -> None:
    action_id = temporary_ban(running_bot)
    running_bot.clock.advance(timedelta(days=8))
    started = running_bot.clock.now()
    # What a process killed right after its claim leaves behind:
    with running_bot.services.session_factory.begin() as session:
        session.execute(
            update(EnforcementAction)
            .where(EnforcementAction.id == action_id)
            .values(status=ActionStatus.EXPIRED, lifted_at=started, lift_started_at=started)
        )

    running_bot.clock.advance(timedelta(seconds=30))
    sweep(running_bot)
    assert action(running_bot, action_id).lift_finished_at is None, "still within the lease"

    running_bot.clock.advance(LEASE)
    sweep(running_bot)

    finished = action(running_bot, action_id)
    assert finished.lift_finished_at == running_bot.clock.now()
    assert len(ended_notices(running_bot)) == 1


def test_finishing_a_finished_lift_does_nothing(running_bot: RunningBot) -> None:
    action_id = temporary_ban(running_bot)
    running_bot.clock.advance(timedelta(days=8))
    sweep(running_bot)
    calls = len(running_bot.standin.calls("chat.postMessage"))

    finish_lift(
        running_bot.services,
        NotifyBackend(running_bot.services.client),
        running_bot.settings.community,
        action_id,
    )

    assert len(running_bot.standin.calls("chat.postMessage")) == calls


def test_timers_are_rebuilt_from_the_database_at_start_up(running_bot: RunningBot) -> None:
    first = temporary_ban(running_bot, days=3)
    second = temporary_ban(running_bot, days=30, author="bob")
    timers = running_bot.services.timers
    for action_id in (first, second):
        timers.cancel(action_id)
    assert timers.scheduled() == {}

    assert rebuild_ban_timers(running_bot.services) == 2

    assert set(timers.scheduled()) == {first, second}


def test_an_overturned_ban_loses_its_timer(running_bot: RunningBot) -> None:
    from tests.integration.test_appeals import review, submit_appeal

    action_id = temporary_ban(running_bot)
    submit_appeal(running_bot, action_id)
    review(running_bot, "carla", overturn=True)

    assert action_id not in running_bot.services.timers.scheduled()
    overturned = action(running_bot, action_id)
    assert overturned.status == ActionStatus.OVERTURNED
    assert overturned.lift_finished_at is not None
    running_bot.clock.advance(timedelta(days=8))
    sweep(running_bot)
    assert audit_actions(running_bot).count("action.expired") == 0


def change_end(bot: RunningBot, action_id: int, preset: str, user: str = "carla") -> object:
    case_card = next(
        m for m in bot.standin.messages("moderators") if CaseAction.CHANGE_END in str(m["blocks"])
    )
    bot.delivery.block_action(
        CaseAction.CHANGE_END, str(action_id), user, message=case_card, channel="moderators"
    )
    bot.drain()
    response = bot.delivery.view_submission(
        CaseCallback.CHANGE_END,
        {
            DecisionBlock.DURATION: {
                "value": {"type": "static_select", "selected_option": {"value": preset}}
            }
        },
        user,
        private_metadata=json.dumps({"action_id": action_id}),
    )
    bot.drain()
    return response


def test_extending_a_ban_moves_its_timer_and_tells_the_member(running_bot: RunningBot) -> None:
    action_id = temporary_ban(running_bot, days=7)

    change_end(running_bot, action_id, "30")

    new_end = running_bot.clock.now() + timedelta(days=30)
    assert action(running_bot, action_id).expires_at == new_end
    assert running_bot.services.timers.scheduled() == {action_id: new_end}
    assert any("now ends" in str(m["text"]) for m in dms_to(running_bot, "dmitri"))
    assert "action.end_changed" in audit_actions(running_bot)
    running_bot.clock.advance(timedelta(days=8))
    sweep(running_bot)
    assert action(running_bot, action_id).status == ActionStatus.ACTIVE


def test_ending_a_ban_now_lifts_it_at_once(running_bot: RunningBot) -> None:
    action_id = temporary_ban(running_bot, days=7)
    running_bot.clock.advance(timedelta(hours=1))

    change_end(running_bot, action_id, "now")

    ended = action(running_bot, action_id)
    assert ended.status == ActionStatus.EXPIRED
    assert ended.lift_finished_at is not None
    assert len(ended_notices(running_bot)) == 1


def test_a_non_moderator_cannot_change_a_bans_end(running_bot: RunningBot) -> None:
    action_id = temporary_ban(running_bot, days=7)

    change_end(running_bot, action_id, "now", user="bob")

    assert action(running_bot, action_id).status == ActionStatus.ACTIVE
    assert audit_actions(running_bot).count("auth.refused") == 2


# ----------------------------------------------------------------- with real time


class TestInARunningApp:
    @pytest.fixture
    def bot_clock(self) -> SystemClock:  # type: ignore[override]
        return SystemClock()

    @pytest.fixture
    def community(self) -> CommunitySettings:
        base = CommunitySettings()
        return replace(
            base,
            channels=replace(base.channels, moderators="moderators"),
            moderators=ModeratorSettings(usergroup="moderators"),
            enforcement=EnforcementSettings(sweep_seconds=0.5, lift_lease_seconds=2),
        )

    def start_scheduler(self, bot: RunningBot) -> None:
        """What `conduct run` does after the harness built the scheduler (paused)."""
        rebuild_ban_timers(bot.services)
        scheduler = bot.services.timers.scheduler
        assert scheduler is not None
        scheduler.resume()

    def wait_until_expired(
        self, bot: RunningBot, action_id: int, seconds: float
    ) -> EnforcementAction:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = action(bot, action_id)
            if found.lift_finished_at is not None:
                return found
            time.sleep(0.05)
        raise AssertionError(f"ban {action_id} was not lifted within {seconds} s")

    def test_a_ban_lifts_within_a_second_of_its_end(self, running_bot: RunningBot) -> None:
        self.start_scheduler(running_bot)
        end = int(time.time()) + 3
        action_id = temporary_ban(running_bot, days=0, ends_at=end)

        lifted = self.wait_until_expired(running_bot, action_id, 10)

        assert lifted.expires_at == datetime.fromtimestamp(end, tz=UTC)
        assert lifted.lifted_at is not None
        delay = (lifted.lifted_at - lifted.expires_at).total_seconds()
        assert 0 <= delay < 1.0, delay

    def test_a_ban_that_ended_during_downtime_is_lifted_at_start_up(
        self, running_bot: RunningBot
    ) -> None:
        action_id = temporary_ban(running_bot, days=7)
        running_bot.services.timers.cancel(action_id)
        past = datetime.now(UTC) - timedelta(hours=2)
        with running_bot.services.session_factory.begin() as session:
            session.execute(
                update(EnforcementAction)
                .where(EnforcementAction.id == action_id)
                .values(starts_at=past - timedelta(days=7), expires_at=past)
            )

        self.start_scheduler(running_bot)

        lifted = self.wait_until_expired(running_bot, action_id, 5)
        assert lifted.status == ActionStatus.EXPIRED

    def test_a_ban_decided_on_a_stopped_replica_is_lifted_by_another(
        self, running_bot: RunningBot
    ) -> None:
        # Replica A decides (and sets its own timer) but is stopped before the end; replica
        # B never heard of the ban: only its sweep can find it.
        end = int(time.time()) + 2
        action_id = temporary_ban(running_bot, days=0, ends_at=end)
        assert action_id in running_bot.services.timers.scheduled()
        replica_b = replace(running_bot.services, timers=BanTimers())
        scheduler_b = build_scheduler(
            running_bot.settings, replica_b, NotifyBackend(replica_b.client)
        )
        scheduler_b.start()
        try:
            lifted = self.wait_until_expired(running_bot, action_id, 10)
        finally:
            scheduler_b.shutdown(wait=False)

        assert lifted.lifted_at is not None and lifted.expires_at is not None
        assert (lifted.lifted_at - lifted.expires_at).total_seconds() < 1.5
        with running_bot.services.session_factory() as session:
            expired = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "action.expired")
            ).all()
        assert len(expired) == 1
