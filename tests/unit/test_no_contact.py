"""No-contact terms: which messages break them (the pure decision), and what the moderators
and the member are shown (the pure views)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.services.no_contact import NoContactTerm, Violation, reminder_for, violations
from bot.views.case_card import CaseCard, DecisionEntry, case_card_blocks
from bot.views.no_contact import (
    ViolationAlert,
    alert_blocks,
    alert_fallback_text,
    reminder_text,
)
from models.enums import ActionStatus, CaseStatus
from moderation.ids import ActionLevel

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
DMITRI, ZOE, BOB, ALICE = "U0DMITRI", "U0ZOE", "U0BOB", "U0ALICE"

WARNING = NoContactTerm(
    action_id=7,
    case_id=3,
    member_user_id=DMITRI,
    level=ActionLevel.WARNING,
    status=ActionStatus.ACTIVE,
    protected_user_ids=(ZOE,),
    starts_at=NOW - timedelta(days=2),
    expires_at=NOW + timedelta(days=28),
)


def kinds(found: list[Violation]) -> list[tuple[int, str, str]]:
    return [(v.term.action_id, v.protected_user_id, v.kind) for v in found]


# --------------------------------------------------------------------------- the decision


def test_mentioning_a_protected_person_breaks_the_term() -> None:
    assert kinds(violations([ZOE], None, [WARNING], NOW)) == [(7, ZOE, "mention")]


def test_replying_in_a_thread_a_protected_person_started_breaks_the_term() -> None:
    assert kinds(violations([], ZOE, [WARNING], NOW)) == [(7, ZOE, "thread_reply")]


def test_mention_and_thread_reply_to_the_same_person_count_once_as_a_mention() -> None:
    assert kinds(violations([ZOE], ZOE, [WARNING], NOW)) == [(7, ZOE, "mention")]


def test_mentioning_or_replying_to_someone_else_breaks_nothing() -> None:
    assert violations([BOB], ALICE, [WARNING], NOW) == []


def test_a_message_without_mentions_outside_a_thread_breaks_nothing() -> None:
    assert violations([], None, [WARNING], NOW) == []


def test_the_period_is_from_start_inclusive_to_end_exclusive() -> None:
    assert kinds(violations([ZOE], None, [WARNING], WARNING.starts_at)) == [(7, ZOE, "mention")]
    assert violations([ZOE], None, [WARNING], WARNING.starts_at - timedelta(seconds=1)) == []
    assert WARNING.expires_at is not None
    assert violations([ZOE], None, [WARNING], WARNING.expires_at) == []
    assert violations([ZOE], None, [WARNING], WARNING.expires_at + timedelta(days=1)) == []


def test_a_warning_without_an_end_holds_until_it_is_lifted() -> None:
    open_ended = replace(WARNING, expires_at=None)
    later = NOW + timedelta(days=3650)
    assert kinds(violations([ZOE], None, [open_ended], later)) == [(7, ZOE, "mention")]


@pytest.mark.parametrize(
    "status", [ActionStatus.LIFTED, ActionStatus.OVERTURNED, ActionStatus.EXPIRED]
)
def test_a_lifted_overturned_or_expired_decision_has_no_terms(status: ActionStatus) -> None:
    assert violations([ZOE], ZOE, [replace(WARNING, status=status)], NOW) == []


def test_a_temporary_ban_carries_terms_too() -> None:
    ban = replace(WARNING, level=ActionLevel.TEMPORARY_BAN)
    assert kinds(violations([ZOE], None, [ban], NOW)) == [(7, ZOE, "mention")]


@pytest.mark.parametrize(
    "level", [ActionLevel.CORRECTION, ActionLevel.PERMANENT_BAN, ActionLevel.NO_ACTION]
)
def test_levels_without_no_contact_terms_break_nothing(level: ActionLevel) -> None:
    assert violations([ZOE], ZOE, [replace(WARNING, level=level)], NOW) == []


def test_a_decision_with_an_empty_list_breaks_nothing() -> None:
    assert violations([ZOE], ZOE, [replace(WARNING, protected_user_ids=())], NOW) == []


def test_several_protected_people_mentioned_give_one_violation_each() -> None:
    term = replace(WARNING, protected_user_ids=(ZOE, BOB, ALICE))
    found = violations([BOB, ZOE], None, [term], NOW)
    assert kinds(found) == [(7, ZOE, "mention"), (7, BOB, "mention")]


def test_one_person_protected_by_two_decisions_gives_one_violation_per_decision() -> None:
    ban = replace(WARNING, action_id=9, case_id=4, level=ActionLevel.TEMPORARY_BAN)
    found = violations([ZOE], None, [ban, WARNING], NOW)
    assert kinds(found) == [(7, ZOE, "mention"), (9, ZOE, "mention")]


def test_only_the_decisions_in_force_count_when_several_exist() -> None:
    lifted = replace(WARNING, action_id=5, status=ActionStatus.LIFTED)
    assert kinds(violations([ZOE], None, [lifted, WARNING], NOW)) == [(7, ZOE, "mention")]


def test_the_member_mentioning_themselves_or_replying_in_their_own_thread_is_no_contact() -> None:
    mistaken = replace(WARNING, protected_user_ids=(DMITRI, ZOE))
    assert violations([DMITRI], DMITRI, [mistaken], NOW) == []


def test_a_repeated_person_in_the_list_counts_once() -> None:
    term = replace(WARNING, protected_user_ids=(ZOE, ZOE))
    assert kinds(violations([ZOE], None, [term], NOW)) == [(7, ZOE, "mention")]


# --------------------------------------------------------------------------- the reminder


def test_reminder_names_each_person_once_with_the_latest_end_and_the_strictest_level() -> None:
    ban = replace(
        WARNING,
        action_id=9,
        level=ActionLevel.TEMPORARY_BAN,
        expires_at=NOW + timedelta(days=60),
    )
    bob_term = replace(WARNING, protected_user_ids=(BOB,))
    reminder = reminder_for(
        "All Tech Is Human",
        [
            Violation(WARNING, ZOE, "mention"),
            Violation(ban, ZOE, "mention"),
            Violation(bob_term, BOB, "thread_reply"),
        ],
    )
    assert reminder.level is ActionLevel.TEMPORARY_BAN
    assert [(t.protected_user_id, t.ends_at) for t in reminder.terms] == [
        (ZOE, NOW + timedelta(days=60)),
        (BOB, WARNING.expires_at),
    ]
    text = reminder_text(reminder)
    assert "<@U0ZOE>" in text and "<@U0BOB>" in text
    assert "may lead to a permanent ban" in text
    assert "All Tech Is Human moderators" in text


def test_reminder_for_a_term_without_an_end_says_so() -> None:
    reminder = reminder_for("ATIH", [Violation(replace(WARNING, expires_at=None), ZOE, "mention")])
    assert reminder.terms[0].ends_at is None
    assert "until the moderators lift it" in reminder_text(reminder)


def test_reminder_gives_the_end_of_the_period_as_a_slack_date() -> None:
    text = reminder_text(reminder_for("ATIH", [Violation(WARNING, ZOE, "mention")]))
    assert WARNING.expires_at is not None
    assert f"<!date^{int(WARNING.expires_at.timestamp())}^" in text
    assert "2026-12-08 12:00 UTC" in text
    assert "may lead to a temporary or permanent ban" in text


def test_reminder_escapes_the_community_name() -> None:
    text = reminder_text(reminder_for("<!channel> & co", [Violation(WARNING, ZOE, "mention")]))
    assert "<!channel>" not in text
    assert "&lt;!channel&gt; &amp; co" in text


# --------------------------------------------------------------------------- the alert


ALERT = ViolationAlert(
    case_id=3,
    action_id=7,
    level=ActionLevel.WARNING,
    member_user_id=DMITRI,
    protected_user_id=ZOE,
    kind="mention",
    channel_id="C0GENERAL",
    message_ts="1793000000.000100",
    permalink="https://atih.slack.com/archives/C0GENERAL/p1793000000000100",
    ends_at=WARNING.expires_at,
    count=2,
    reminder="ephemeral",
)


def test_alert_names_the_people_the_term_and_links_the_message() -> None:
    text = json.dumps([b.to_dict() for b in alert_blocks(ALERT)])
    assert "No-contact term broken" in text
    assert "<@U0DMITRI> mentioned <@U0ZOE> in <#C0GENERAL>" in text
    assert "Warning, decision #7" in text
    assert "<https://atih.slack.com/archives/C0GENERAL/p1793000000000100|Open the message>" in text
    assert "Broken 2 times on this case" in text
    assert "reminded privately" in text
    assert "<@U0ZOE>" in alert_fallback_text(ALERT)


def test_alert_for_a_thread_reply_says_whose_thread_it_was() -> None:
    text = json.dumps([b.to_dict() for b in alert_blocks(replace(ALERT, kind="thread_reply"))])
    assert "replied in <#C0GENERAL> in a thread started by <@U0ZOE>" in text


def test_alert_without_a_permalink_gives_the_channel_and_ts() -> None:
    text = json.dumps([b.to_dict() for b in alert_blocks(replace(ALERT, permalink=None))])
    assert "Message 1793000000.000100 in <#C0GENERAL>" in text


def test_alert_makes_malformed_ids_and_links_inert() -> None:
    hostile = replace(
        ALERT,
        member_user_id="<!channel>",
        protected_user_id="U0ZOE>|x",
        channel_id="<!here>",
        message_ts="<!everyone>",
        permalink="javascript:alert(1)",
    )
    text = json.dumps([b.to_dict() for b in alert_blocks(hostile)])
    assert "<!channel>" not in text and "<!here>" not in text and "<!everyone>" not in text
    assert "<javascript" not in text
    text = json.dumps([b.to_dict() for b in alert_blocks(replace(hostile, permalink=None))])
    assert "<!everyone>" not in text


@pytest.mark.parametrize(
    ("outcome", "words"),
    [("dm", "by direct message"), ("failed", "not reminded"), ("shadow", "shadow mode")],
)
def test_alert_says_how_the_member_was_reminded(outcome: str, words: str) -> None:
    text = json.dumps([b.to_dict() for b in alert_blocks(replace(ALERT, reminder=outcome))])  # type: ignore[arg-type]
    assert words in text


# --------------------------------------------------------------------------- the case card


def _card(count: int) -> CaseCard:
    return CaseCard(
        case_id=3,
        status=CaseStatus.RESOLVED,
        subject_user_id=DMITRI,
        opened_at=NOW - timedelta(days=3),
        decision=DecisionEntry(
            level=ActionLevel.WARNING,
            decided_by_user_id="U0ADA",
            decided_at=NOW - timedelta(days=2),
            status=ActionStatus.ACTIVE,
            ends_at=WARNING.expires_at,
        ),
        no_contact_violations=count,
    )


def test_case_card_shows_how_often_the_terms_were_broken() -> None:
    one = json.dumps([b.to_dict() for b in case_card_blocks(_card(1))])
    two = json.dumps([b.to_dict() for b in case_card_blocks(_card(2))])
    assert "No-contact terms broken:* 1 time " in one
    assert "No-contact terms broken:* 2 times" in two
    assert len(case_card_blocks(_card(2))) == len(case_card_blocks(_card(0)))


def test_case_card_without_violations_has_no_such_line() -> None:
    assert "No-contact" not in json.dumps([b.to_dict() for b in case_card_blocks(_card(0))])
