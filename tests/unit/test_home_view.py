"""The member's Home tab, as pure Block Kit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.ids import ActionId
from bot.views.home import (
    GUIDELINES_IN_BRIEF,
    HomeView,
    OpenAppeal,
    Standing,
    StandingAction,
    home_view,
    slack_date,
)
from models.enums import ActionLevel

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
URL = "https://alltechishuman.org/code-of-conduct"


def render(standing: Standing | None = None, *, report_button: bool = False) -> dict[str, Any]:
    view = HomeView(
        user_id="U0ALICE",
        community_name="All Tech Is Human",
        guidelines_url=URL,
        standing=standing or Standing(),
        report_button=report_button,
    )
    return home_view(view).to_dict()


def text(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def test_member_without_actions_or_appeals_is_in_good_standing() -> None:
    view = render()
    assert view["type"] == "home"
    assert "You're in good standing" in text(view)
    assert len(view["blocks"]) <= 100


def test_slack_date_has_a_utc_fallback() -> None:
    end = datetime(2026, 11, 9, 9, 30, tzinfo=UTC)
    assert slack_date(end) == (
        f"<!date^{int(end.timestamp())}^{{date_short_pretty}} at {{time}}|2026-11-09 09:30 UTC>"
    )
    assert slack_date(end, with_time=False).endswith("|2026-11-09>")


def test_temporary_ban_shows_its_end_and_the_notice_escaped() -> None:
    end = NOW + timedelta(days=7)
    ban = StandingAction(
        level=ActionLevel.TEMPORARY_BAN,
        starts_at=NOW,
        expires_at=end,
        notice="Repeated insults in <#C1>. Take a week off.",
        no_contact_user_ids=("U0BOB",),
    )
    body = text(render(Standing(actions=(ban,))))
    assert "good standing" not in body
    assert "Temporary ban" in body
    assert f"<!date^{int(end.timestamp())}^" in body and "2026-11-09 09:00 UTC" in body
    assert "&lt;#C1&gt;" in body and "<#C1>" not in body
    assert "<@U0BOB>" in body
    assert "appeal" in body


def test_open_appeal_is_shown_with_the_action_it_is_against() -> None:
    ban = StandingAction(ActionLevel.WARNING, NOW, None, "")
    appeal = OpenAppeal(ActionLevel.WARNING, NOW + timedelta(hours=2))
    body = text(render(Standing(actions=(ban,), appeals=(appeal,))))
    assert "Your appeal against the warning" in body
    assert "is open" in body
    assert "since" in body  # a warning without an end says since when


def test_how_to_report_names_the_command_and_the_shortcut() -> None:
    body = text(render())
    assert "/report" in body and "Report message" in body
    assert ActionId.HOME_REPORT not in body


def test_report_button_opens_the_form_when_offered() -> None:
    view = render(report_button=True)
    buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == [ActionId.HOME_REPORT]


def test_guidelines_in_brief_are_five_to_seven_bullets_with_a_link_to_the_full_text() -> None:
    assert 5 <= len(GUIDELINES_IN_BRIEF) <= 7
    body = text(render())
    assert "Use your own name" in body
    assert f"<{URL}|Read the full Code of Conduct>" in body
