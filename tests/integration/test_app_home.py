"""The member's Home tab through the running app: `app_home_opened` -> `views.publish`
(shared/slack-notes.md §14), and its report button."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.ids import ActionId, CallbackId
from models import (
    ActionLevel,
    ActionStatus,
    Appeal,
    Case,
    CaseStatus,
    EnforcementAction,
    Member,
)
from tests.integration.harness import RunningBot


def open_home(bot: RunningBot, user_id: str, tab: str = "home") -> None:
    event = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": bot.standin.dm_id(user_id),
        "tab": tab,
    }
    assert bot.delivery.event(event).status == 200
    bot.drain()


def home_text(bot: RunningBot, user_id: str) -> str:
    view = bot.standin.home_view(user_id)
    assert view is not None, "no Home tab published"
    assert view["type"] == "home"
    return json.dumps(view["blocks"], ensure_ascii=False)


def add_action(
    bot: RunningBot,
    user_id: str,
    level: ActionLevel,
    *,
    expires_in: timedelta | None,
    status: ActionStatus = ActionStatus.ACTIVE,
    appeal: bool = False,
) -> None:
    now = bot.clock.now()
    with bot.services.session_factory.begin() as session:
        subject = Member(slack_user_id=user_id, team_id="T0CONDUCT", real_name="Alice Nakamura")
        moderator = Member(slack_user_id="U0CARLA", team_id="T0CONDUCT", real_name="Carla Muñoz")
        session.add_all([subject, moderator])
        session.flush()
        case = Case(subject=subject, status=CaseStatus.RESOLVED)
        session.add(case)
        session.flush()
        action = EnforcementAction(
            case=case,
            member=subject,
            level=level,
            status=status,
            reason="internal reasons",
            notice="Repeated personal attacks in #general-discussions.",
            no_contact_user_ids=["U0BOB"],
            starts_at=now - timedelta(days=1),
            expires_at=now + expires_in if expires_in is not None else None,
            decided_by=moderator,
            decided_at=now - timedelta(days=1),
            backend="notify-only",
        )
        session.add(action)
        session.flush()
        if appeal:
            session.add(
                Appeal(
                    action=action,
                    member=subject,
                    text="I think this was a misunderstanding.",
                    filed_at=now - timedelta(hours=3),
                )
            )


def test_member_without_actions_sees_good_standing_how_to_report_and_the_guidelines(
    running_bot: RunningBot,
) -> None:
    alice = running_bot.standin.user_id("alice")

    open_home(running_bot, alice)

    text = home_text(running_bot, alice)
    assert "You're in good standing" in text
    assert "/report" in text and "Report message" in text
    assert "Read the full Code of Conduct" in text
    assert running_bot.settings.community.guidelines_url in text
    assert running_bot.standin.last("views.publish").args["user_id"] == alice


def test_opening_the_messages_tab_publishes_nothing(running_bot: RunningBot) -> None:
    alice = running_bot.standin.user_id("alice")

    open_home(running_bot, alice, tab="messages")

    assert running_bot.standin.calls("views.publish") == []


def test_active_temporary_ban_shows_its_end_and_the_open_appeal(running_bot: RunningBot) -> None:
    alice = running_bot.standin.user_id("alice")
    add_action(
        running_bot, alice, ActionLevel.TEMPORARY_BAN, expires_in=timedelta(days=6), appeal=True
    )
    end = running_bot.clock.now() + timedelta(days=6)

    open_home(running_bot, alice)

    text = home_text(running_bot, alice)
    assert "good standing" not in text
    assert "Temporary ban" in text
    assert f"<!date^{int(end.timestamp())}^" in text
    assert f"{end:%Y-%m-%d %H:%M} UTC" in text
    assert "Your appeal against the temporary ban" in text and "is open" in text
    assert "<@U0BOB>" in text


@pytest.mark.parametrize(
    ("status", "days_later"),
    [(ActionStatus.LIFTED, 0), (ActionStatus.ACTIVE, 3)],  # lifted; or ended, not yet swept
)
def test_lifted_or_ended_actions_leave_good_standing(
    running_bot: RunningBot, status: ActionStatus, days_later: int
) -> None:
    alice = running_bot.standin.user_id("alice")
    add_action(
        running_bot, alice, ActionLevel.TEMPORARY_BAN, expires_in=timedelta(days=2), status=status
    )
    running_bot.clock.advance(timedelta(days=days_later))

    open_home(running_bot, alice)

    assert "You're in good standing" in home_text(running_bot, alice)


def test_home_report_button_opens_the_report_form(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    alice = standin.user_id("alice")
    open_home(running_bot, alice)
    home: dict[str, Any] | None = standin.home_view(alice)
    assert home is not None

    response = running_bot.delivery.block_action(ActionId.HOME_REPORT, user_id=alice, view=home)
    running_bot.drain()

    assert response.status == 200
    modals = standin.views(alice, view_type="modal")
    assert [m["callback_id"] for m in modals] == [CallbackId.REPORT_FORM]


def test_home_tab_switched_off_in_slack_is_logged_not_raised(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    standin.configure(home_tab_enabled=False)
    alice = standin.user_id("alice")

    open_home(running_bot, alice)

    assert standin.last("views.publish").error == "not_enabled"
    assert standin.home_view(alice) is None
