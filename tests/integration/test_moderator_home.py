"""The moderators' section of the Home tab, through the running app: cases opened and decided
the real way, a member disputing a nudge, and `views.publish` on the Slack stand-in (which
refuses a Home view of more than 100 blocks). Moderators are the @moderators group (ada,
carla); bob and alice are members."""

from __future__ import annotations

from datetime import timedelta

from bot.ids import ActionId
from bot.views.labels import POLICY_TITLES
from models import Case, CaseStatus, Member, PolicyId
from moderation.ids import ActionLevel
from tests.integration.case_steps import OTHERS_PHONE, actions, decide, decision_values, open_case
from tests.integration.harness import RunningBot
from tests.integration.test_app_home import home_text, open_home
from tests.integration.test_nudges import PLUG, click, send
from tests.slack_standin import Fault

SECTION = "For moderators"


def test_moderator_sees_an_open_case_with_its_age_and_no_assignee(
    running_bot: RunningBot,
) -> None:
    case = open_case(running_bot)
    running_bot.clock.advance(timedelta(days=3, hours=2))
    ada = running_bot.standin.user_id("ada")

    open_home(running_bot, ada)

    text = home_text(running_bot, ada)
    assert SECTION in text
    assert "You're in good standing" in text, "the moderator's own standing is still shown"
    assert "*Open cases, oldest first* (1)" in text
    assert f"<https://slack.com/app_redirect?channel={case.card_channel_id}|#{case.id}>" in text
    assert f"{POLICY_TITLES[PolicyId.PRIVATE_INFO]} · <@U0DMITRI> · 3 days · _unassigned_" in text
    assert "*Detections, last 7 days* (1)" in text, "the flag that opened the case"
    assert "flagged" in text or "nudged" in text
    assert "415 555" not in text and "Maria" not in text, "no message text on the Home tab"
    assert OTHERS_PHONE not in text


def test_moderator_sees_an_active_temporary_ban_with_its_end(running_bot: RunningBot) -> None:
    case = open_case(running_bot)
    decide(
        running_bot,
        case,
        "ada",
        decision_values(ActionLevel.TEMPORARY_BAN, days=7, justification="x"),
    )
    [ban] = actions(running_bot)
    assert ban.expires_at is not None
    carla = running_bot.standin.user_id("carla")

    open_home(running_bot, carla)

    text = home_text(running_bot, carla)
    assert "*Active bans* (1)" in text
    assert (
        f"<@U0DMITRI> · *Temporary ban* · until <!date^{int(ban.expires_at.timestamp())}^" in text
    )
    assert f"|{ban.expires_at:%Y-%m-%d %H:%M} UTC> (in 7 days) · case #{case.id}" in text
    assert "No open cases." in text, "the decided case has left the queue"
    assert "None: every step went through." in text


def test_a_disputed_nudge_shows_in_the_false_positive_rate(running_bot: RunningBot) -> None:
    send(running_bot, "general-discussions", "alice", PLUG)
    send(running_bot, "general-discussions", "bob", PLUG)
    [ephemeral] = running_bot.standin.ephemerals(user="alice")
    click(running_bot, ephemeral, ActionId.NUDGE_NOT_A_MATCH)
    ada = running_bot.standin.user_id("ada")

    open_home(running_bot, ada)

    text = home_text(running_bot, ada)
    assert f"*{POLICY_TITLES[PolicyId.SELF_PROMOTION]}*\\n1 of 2 (50%)" in text
    assert f"*{POLICY_TITLES[PolicyId.HARASSMENT]}*\\nno nudges" in text
    assert "*Detections, last 7 days* (2)" in text
    assert text.count(":warning: *disputed*") == 1
    assert "responsible AI" not in text, "no message text on the Home tab"


def test_failed_enforcement_step_is_listed_for_doing_by_hand(running_bot: RunningBot) -> None:
    case = open_case(running_bot)
    # Slack refuses the next two posts: the member's notice, then the ban checklist.
    running_bot.standin.inject("chat.postMessage", Fault.api_error("not_in_channel"), times=2)
    decide(
        running_bot,
        case,
        "ada",
        decision_values(ActionLevel.TEMPORARY_BAN, days=7, justification="x"),
    )
    [ban] = actions(running_bot)
    assert [s["ok"] for s in ban.enforcement_steps] == [False]
    ada = running_bot.standin.user_id("ada")

    open_home(running_bot, ada)

    text = home_text(running_bot, ada)
    assert "*Enforcement steps that failed — still to do by hand* (1)" in text
    assert f"*Case #{case.id}* · <@U0DMITRI> · Temporary ban · `checklist_posted` failed" in text
    assert ": not_in_channel" in text


def test_member_who_is_not_a_moderator_never_sees_the_section(running_bot: RunningBot) -> None:
    case = open_case(running_bot)
    bob = running_bot.standin.user_id("bob")
    ada = running_bot.standin.user_id("ada")

    open_home(running_bot, bob)
    open_home(running_bot, ada)

    bob_text = home_text(running_bot, bob)
    assert SECTION not in bob_text
    assert f"#{case.id}" not in bob_text and "<@U0DMITRI>" not in bob_text
    assert "You're in good standing" in bob_text
    assert SECTION in home_text(running_bot, ada)


def test_a_long_queue_still_fits_the_home_tab(running_bot: RunningBot) -> None:
    now = running_bot.clock.now()
    with running_bot.services.session_factory.begin() as session:
        subject = Member(slack_user_id="U0DMITRI", team_id="T0CONDUCT", real_name="Dmitri")
        session.add(subject)
        session.flush()
        session.add_all(
            Case(
                subject=subject,
                status=CaseStatus.OPEN,
                policy=PolicyId.HARASSMENT,
                opened_at=now - timedelta(days=i),
            )
            for i in range(1, 61)
        )
    carla = running_bot.standin.user_id("carla")

    open_home(running_bot, carla)

    assert running_bot.standin.last("views.publish").error is None
    view = running_bot.standin.home_view(carla)
    assert view is not None and len(view["blocks"]) <= 100
    text = home_text(running_bot, carla)
    assert "*Open cases, oldest first* (60)" in text
    assert "and 45 more — `conduct cases list`" in text
    assert "60 days" in text, "the oldest case comes first"
