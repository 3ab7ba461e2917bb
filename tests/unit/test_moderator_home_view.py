"""The moderators' section of the Home tab, as pure Block Kit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.views.home import HomeView, Standing, StandingAction, home_view
from bot.views.labels import POLICY_TITLES
from bot.views.moderator_home import (
    BanRow,
    DetectionRow,
    FailedStepRow,
    ModeratorHome,
    OpenCaseRow,
    PolicyRate,
    age,
    moderator_blocks,
    rate_text,
)
from models.enums import CaseStatus
from moderation.ids import ActionLevel, Mode, PolicyId, Response

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
URL = "https://alltechishuman.org/code-of-conduct"


def render(moderator: ModeratorHome | None, standing: Standing | None = None) -> dict[str, Any]:
    view = HomeView(
        user_id="U0ADA",
        community_name="All Tech Is Human",
        guidelines_url=URL,
        standing=standing or Standing(),
        report_button=True,
        moderator=moderator,
    )
    return home_view(view).to_dict()


def text(blocks: Any) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def section_text(moderator: ModeratorHome, max_blocks: int = 100) -> str:
    return text([b.to_dict() for b in moderator_blocks(moderator, max_blocks)])


def case(n: int, **kwargs: Any) -> OpenCaseRow:
    values: dict[str, Any] = {
        "case_id": n,
        "status": CaseStatus.OPEN,
        "policy": PolicyId.PRIVATE_INFO,
        "subject_user_id": "U0DMITRI",
        "opened_at": NOW - timedelta(days=3),
    }
    values.update(kwargs)
    return OpenCaseRow(**values)


def ban(n: int, *, days: int | None = 6) -> BanRow:
    return BanRow(
        case_id=n,
        member_user_id="U0DMITRI",
        level=ActionLevel.TEMPORARY_BAN if days is not None else ActionLevel.PERMANENT_BAN,
        starts_at=NOW - timedelta(days=1),
        expires_at=NOW + timedelta(days=days) if days is not None else None,
    )


def detection(n: int, *, disputed: bool = False) -> DetectionRow:
    return DetectionRow(
        detection_id=n,
        created_at=NOW - timedelta(hours=n),
        policy=PolicyId.SELF_PROMOTION,
        member_user_id="U0ALICE",
        score=0.934,
        response=Response.NUDGE,
        disputed=disputed,
    )


def failed(n: int, detail: str | None = "not_in_channel") -> FailedStepRow:
    return FailedStepRow(
        case_id=n,
        member_user_id="U0DMITRI",
        level=ActionLevel.TEMPORARY_BAN,
        step="checklist_posted",
        at=NOW - timedelta(minutes=n),
        detail=detail,
    )


def rates(**counts: tuple[int, int]) -> tuple[PolicyRate, ...]:
    return tuple(
        PolicyRate(
            policy=p, nudges=counts.get(p.value, (0, 0))[0], disputed=counts.get(p.value, (0, 0))[1]
        )
        for p in PolicyId
    )


def crowded(n: int) -> ModeratorHome:
    """`n` of everything, far more than the tab can show."""
    return ModeratorHome(
        now=NOW,
        open_cases=tuple(case(i) for i in range(1, n + 1)),
        open_cases_total=n,
        bans=tuple(ban(i) for i in range(1, n + 1)),
        bans_total=n,
        detections=tuple(detection(i) for i in range(1, n + 1)),
        detections_total=n,
        rates=rates(self_promotion=(40, 2)),
        failed_steps=tuple(failed(i) for i in range(1, n + 1)),
        failed_steps_total=n,
    )


# --- empty state and placement --------------------------------------------------------


def test_member_home_has_no_moderators_section_without_moderator_data() -> None:
    assert "For moderators" not in text(render(None))


def test_empty_moderators_section_says_there_is_nothing_waiting() -> None:
    view = render(ModeratorHome(now=NOW, rates=rates()))
    rendered = text(view)
    assert "For moderators" in rendered
    assert "No open cases." in rendered
    assert "No active bans." in rendered
    assert "Nothing detected." in rendered
    assert "None: every step went through." in rendered
    assert rendered.count("no nudges") == len(PolicyId)
    assert " more" not in rendered


def test_moderators_section_sits_between_own_standing_and_how_to_report() -> None:
    blocks = render(ModeratorHome(now=NOW, rates=rates()))["blocks"]
    headers = [b["text"]["text"] for b in blocks if b["type"] == "header"]
    assert headers == [
        "Your standing",
        "For moderators",
        "Something wrong? Tell us",
        "Our guidelines in brief",
    ]


# --- rows -------------------------------------------------------------------------------


def test_open_case_shows_number_policy_member_age_assignee_and_a_link_to_its_channel() -> None:
    rendered = section_text(
        ModeratorHome(
            now=NOW,
            open_cases=(
                case(7, card_channel_id="C0MODS"),
                case(
                    9,
                    policy=None,
                    status=CaseStatus.TRIAGED,
                    assignee_user_id="U0CARLA",
                    opened_at=NOW - timedelta(hours=5),
                ),
            ),
            open_cases_total=2,
        )
    )
    assert "<https://slack.com/app_redirect?channel=C0MODS|#7>" in rendered
    assert POLICY_TITLES[PolicyId.PRIVATE_INFO] in rendered
    assert "<@U0DMITRI> · 3 days · _unassigned_" in rendered
    assert "*#9* Report (triaged)" in rendered
    assert "5 hours · <@U0CARLA>" in rendered
    assert rendered.index("#7") < rendered.index("#9"), "order as given: oldest first"


def test_temporary_ban_shows_its_end_as_a_slack_date_with_utc_fallback() -> None:
    end = NOW + timedelta(days=6)
    rendered = section_text(ModeratorHome(now=NOW, bans=(ban(3), ban(4, days=None)), bans_total=2))
    assert f"<!date^{int(end.timestamp())}^" in rendered
    assert f"|{end:%Y-%m-%d %H:%M} UTC>" in rendered
    assert "(in 6 days)" in rendered
    assert "*Temporary ban*" in rendered and "case #3" in rendered
    assert "*Permanent ban* · no end date · case #4" in rendered


def test_detection_row_shows_policy_member_score_response_and_dispute_but_no_text() -> None:
    rendered = section_text(
        ModeratorHome(now=NOW, detections=(detection(1, disputed=True),), detections_total=1)
    )
    assert POLICY_TITLES[PolicyId.SELF_PROMOTION] in rendered
    assert "<@U0ALICE>" in rendered
    assert "score 0.93" in rendered
    assert "nudged" in rendered
    assert "*disputed*" in rendered


def test_shadow_detection_is_marked_and_case_number_shown() -> None:
    row = DetectionRow(
        detection_id=1,
        created_at=NOW,
        policy=PolicyId.HARASSMENT,
        member_user_id="U0BOB",
        score=0.8,
        response=Response.FLAG,
        disputed=False,
        case_id=12,
        mode=Mode.SHADOW,
    )
    rendered = section_text(ModeratorHome(now=NOW, detections=(row,), detections_total=1))
    assert "flagged (shadow)" in rendered and "case #12" in rendered
    assert "disputed" not in rendered


def test_failed_step_lists_case_member_step_and_error() -> None:
    rendered = section_text(ModeratorHome(now=NOW, failed_steps=(failed(5),), failed_steps_total=1))
    assert "*Case #5* · <@U0DMITRI> · Temporary ban · `checklist_posted` failed" in rendered
    assert ": not_in_channel" in rendered


# --- escaping ------------------------------------------------------------------------------


def test_anything_user_derived_is_escaped_and_pings_no_one() -> None:
    hostile = "<!channel> & <@U0CARLA|x>"
    moderator = ModeratorHome(
        now=NOW,
        open_cases=(
            case(1, subject_user_id=hostile, assignee_user_id=hostile, card_channel_id=hostile),
        ),
        open_cases_total=1,
        bans=(BanRow(2, hostile, ActionLevel.PERMANENT_BAN, NOW, None),),
        bans_total=1,
        detections=(
            DetectionRow(3, NOW, PolicyId.HARASSMENT, hostile, 0.9, Response.NUDGE, False),
        ),
        detections_total=1,
        failed_steps=(
            FailedStepRow(4, hostile, ActionLevel.PERMANENT_BAN, "`kick` <!here>", NOW, hostile),
        ),
        failed_steps_total=1,
    )
    rendered = section_text(moderator)
    assert "<!channel>" not in rendered and "<!here>" not in rendered
    assert "<@U0CARLA" not in rendered
    assert "app_redirect" not in rendered, "no link built from a malformed channel id"
    assert "&lt;!channel&gt; &amp; &lt;@U0CARLA|x&gt;" in rendered
    assert "`'kick' &lt;!here&gt;`" in rendered, "a step name cannot close its code span"


def test_long_failure_detail_is_shortened() -> None:
    rendered = section_text(
        ModeratorHome(now=NOW, failed_steps=(failed(1, "x" * 5000),), failed_steps_total=1)
    )
    assert "x" * 250 not in rendered and "…" in rendered


# --- caps and the 100-block limit -----------------------------------------------------------


def test_long_lists_are_capped_with_and_n_more() -> None:
    moderator = crowded(15)
    moderator = ModeratorHome(
        now=NOW,
        open_cases=moderator.open_cases,
        open_cases_total=40,
        bans=moderator.bans[:10],
        bans_total=12,
        detections=moderator.detections[:10],
        detections_total=33,
        rates=moderator.rates,
        failed_steps=moderator.failed_steps[:10],
        failed_steps_total=11,
    )
    rendered = section_text(moderator)
    assert "and 25 more — `conduct cases list`" in rendered
    assert "and 2 more" in rendered
    assert "and 23 more in the last 7 days" in rendered
    assert "and 1 more" in rendered
    assert "*Open cases, oldest first* (40)" in rendered


@pytest.mark.parametrize("rows", [15, 200])
def test_whole_home_tab_stays_within_100_blocks_with_many_rows(rows: int) -> None:
    view = render(crowded(rows))
    assert len(view["blocks"]) <= 100
    rendered = text(view)
    assert "For moderators" in rendered and "Our guidelines in brief" in rendered


def test_a_member_part_with_many_actions_shortens_the_moderators_lists_not_the_limit() -> None:
    actions = tuple(
        StandingAction(ActionLevel.WARNING, NOW - timedelta(days=i), None, "notice")
        for i in range(50)
    )
    view = render(crowded(15), Standing(actions=actions))
    assert len(view["blocks"]) <= 100
    rendered = text(view)
    assert rendered.count("*Warning*") == 50, "the moderator's own standing is drawn in full"
    assert "more — `conduct cases list`" in rendered


def test_moderators_section_fits_any_budget() -> None:
    for budget in range(0, 101):
        assert len(moderator_blocks(crowded(30), budget)) <= budget


# --- formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nudges", "disputed", "expected"),
    [
        (40, 2, "2 of 40 (5%)"),
        (3, 0, "0 of 3 (0%)"),
        (3, 1, "1 of 3 (33%)"),
        (3, 2, "2 of 3 (67%)"),
        (300, 1, "1 of 300 (<1%)"),
        (1, 1, "1 of 1 (100%)"),
        (0, 0, "no nudges"),
    ],
)
def test_dispute_rate_reads_n_of_m_with_a_percentage(
    nudges: int, disputed: int, expected: str
) -> None:
    assert rate_text(PolicyRate(PolicyId.SELF_PROMOTION, nudges, disputed)) == expected


def test_dispute_rates_are_listed_for_every_policy() -> None:
    rendered = section_text(ModeratorHome(now=NOW, rates=rates(self_promotion=(40, 2))))
    assert f"*{POLICY_TITLES[PolicyId.SELF_PROMOTION]}*\\n2 of 40 (5%)" in rendered
    assert f"*{POLICY_TITLES[PolicyId.HARASSMENT]}*\\nno nudges" in rendered
    assert "last 30 days" in rendered


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=59), "59 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=23, minutes=59), "23 hours"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=3, hours=20), "3 days"),
    ],
)
def test_age_is_rounded_down_to_the_largest_unit(delta: timedelta, expected: str) -> None:
    assert age(NOW - delta, NOW) == expected
