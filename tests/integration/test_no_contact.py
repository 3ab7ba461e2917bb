"""No-contact terms: a member under a Warning who mentions, or replies in the thread of, the
person they were told to leave alone. The moderators hear about it on the case, the member gets
a private reminder, and the count and the audit log keep track.

Real path throughout: a case opened by a flagged message from dmitri, a Warning decided from
the form with no contact with zoe for 30 days, then signed `message` events from dmitri.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.events import MemberMessage
from bot.services.no_contact import Violation, active_terms, claim_violation
from models import AuditEvent, Case
from moderation.ids import ActionLevel
from tests.integration.case_steps import (
    actions,
    card,
    decide,
    decision_values,
    dms_to,
    open_case,
    reload,
)
from tests.integration.harness import RunningBot
from tests.slack_standin import Fault
from tests.slack_standin.payloads import message_event

GENERAL = "general-discussions"
ZOE = "U0ZOE"
CONTACT = "hey <@U0ZOE> can we talk"


def warn_dmitri(bot: RunningBot) -> Case:
    case = open_case(bot)
    decide(
        bot,
        case,
        "ada",
        decision_values(
            ActionLevel.WARNING,
            days=30,
            justification="Second time this month",
            no_contact=(ZOE,),
        ),
    )
    return reload(bot, case)


def post(
    bot: RunningBot, user: str, text: str, *, channel: str = GENERAL, thread_ts: str | None = None
) -> str:
    """A message as Slack has it (so it has a permalink) and as the bot receives it."""
    standin = bot.standin
    ts = standin.add_message(channel, user, text, thread_ts=thread_ts)
    event = message_event(
        standin.channel_id(channel), standin.user_id(user), text, ts=ts, thread_ts=thread_ts
    )
    assert bot.delivery.event(event).status == 200
    bot.drain()
    return ts


def edit(bot: RunningBot, user: str, ts: str, old: str, new: str, channel: str = GENERAL) -> None:
    assert bot.delivery.event(edit_event(bot, user, ts, old, new, channel)).status == 200
    bot.drain()


def edit_event(
    bot: RunningBot, user: str, ts: str, old: str, new: str, channel: str = GENERAL
) -> dict[str, Any]:
    standin = bot.standin
    user_id = standin.user_id(user)
    event = message_event(
        standin.channel_id(channel),
        user_id,
        "",
        subtype="message_changed",
        message={"type": "message", "user": user_id, "text": new, "ts": ts},
        previous_message={"type": "message", "user": user_id, "text": old, "ts": ts},
    )
    event.pop("user")
    return event


def alerts(bot: RunningBot, case: Case) -> list[dict[str, Any]]:
    """The bot's no-contact alerts in the case card's thread."""
    return [
        m
        for m in bot.standin.messages("moderators")
        if m.get("thread_ts") == case.card_ts and "No-contact term broken" in m["text"]
    ]


def reminders(bot: RunningBot, channel: str = GENERAL) -> list[dict[str, Any]]:
    """dmitri's no-contact reminders (a nudge from the policies may come too)."""
    return [
        e
        for e in bot.standin.ephemerals(channel=channel, user="dmitri")
        if "private reminder" in e["text"]
    ]


def violations(bot: RunningBot) -> list[AuditEvent]:
    with bot.services.session_factory() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "no_contact.violation")
                .order_by(AuditEvent.id)
            )
        )


def blocks_text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks") or [])


def test_mentioning_the_protected_person_alerts_the_case_counts_reminds_and_audits(
    running_bot: RunningBot,
) -> None:
    case = warn_dmitri(running_bot)
    [action] = actions(running_bot)
    version_before = case.version

    ts = post(running_bot, "dmitri", CONTACT)

    [alert] = alerts(running_bot, case)
    alert_text = blocks_text(alert) + alert["text"]
    assert "<@U0DMITRI> mentioned <@U0ZOE> in <#C0GENERAL>" in alert_text
    assert f"/archives/C0GENERAL/p{ts.replace('.', '')}|Open the message>" in alert_text
    assert "can we talk" not in alert_text, "ids and a link only, never the member's words"
    assert "Broken 1 time on this case" in alert_text

    fresh = reload(running_bot, case)
    assert fresh.no_contact_violations == 1
    assert fresh.version == version_before, "a violation must not break an open decision form"
    assert "No-contact terms broken:* 1 time" in blocks_text(card(running_bot, fresh))

    [reminder] = reminders(running_bot)
    assert "<@U0ZOE>" in blocks_text(reminder)
    assert action.expires_at is not None
    assert f"<!date^{int(action.expires_at.timestamp())}^" in blocks_text(reminder)
    assert reminder.get("thread_ts") is None

    [event] = violations(running_bot)
    assert event.actor_slack_id == "U0DMITRI"
    assert event.case_id == case.id
    assert event.details == {
        "action_id": action.id,
        "protected_user_id": ZOE,
        "kind": "mention",
        "channel_id": "C0GENERAL",
        "ts": ts,
    }


def test_replying_in_a_thread_the_protected_person_started_is_a_violation(
    running_bot: RunningBot,
) -> None:
    case = warn_dmitri(running_bot)
    parent = running_bot.standin.add_message(GENERAL, "zoe", "Has anyone read the new draft?")

    post(running_bot, "dmitri", "Yes, it is long", thread_ts=parent)

    [alert] = alerts(running_bot, case)
    assert "in a thread started by <@U0ZOE>" in blocks_text(alert)
    [reminder] = reminders(running_bot)
    assert reminder["thread_ts"] == parent, "the reminder goes where the member wrote"
    [event] = violations(running_bot)
    assert event.details["kind"] == "thread_reply"
    assert reload(running_bot, case).no_contact_violations == 1


def test_the_thread_parent_is_looked_up_once_for_several_replies(running_bot: RunningBot) -> None:
    case = warn_dmitri(running_bot)
    parent = running_bot.standin.add_message(GENERAL, "zoe", "Has anyone read the new draft?")

    post(running_bot, "dmitri", "Yes, it is long", thread_ts=parent)
    post(running_bot, "dmitri", "And badly argued", thread_ts=parent)

    assert len(running_bot.standin.calls("conversations.replies")) == 1
    assert len(alerts(running_bot, case)) == 2
    assert reload(running_bot, case).no_contact_violations == 2


def test_replies_by_members_without_terms_never_look_up_the_thread(
    running_bot: RunningBot,
) -> None:
    warn_dmitri(running_bot)
    parent = running_bot.standin.add_message(GENERAL, "zoe", "Has anyone read the new draft?")

    post(running_bot, "alice", "Yes, it is long", thread_ts=parent)
    post(running_bot, "dmitri", "Interesting, thanks <@U0BOB>")

    assert running_bot.standin.calls("conversations.replies") == []
    assert violations(running_bot) == []


def test_an_edit_of_the_same_message_does_not_alert_twice(running_bot: RunningBot) -> None:
    case = warn_dmitri(running_bot)
    ts = post(running_bot, "dmitri", CONTACT)

    edit(running_bot, "dmitri", ts, CONTACT, CONTACT + " please")

    assert len(alerts(running_bot, case)) == 1
    assert len(reminders(running_bot)) == 1
    assert len(violations(running_bot)) == 1
    assert reload(running_bot, case).no_contact_violations == 1


def test_a_message_and_its_edit_arriving_at_once_alert_once(running_bot: RunningBot) -> None:
    case = warn_dmitri(running_bot)
    standin = running_bot.standin
    ts = standin.add_message(GENERAL, "dmitri", CONTACT)
    deliveries = [
        message_event(standin.channel_id(GENERAL), "U0DMITRI", CONTACT, ts=ts),
        edit_event(running_bot, "dmitri", ts, CONTACT, CONTACT + " please"),
    ]

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = [r.status for r in pool.map(running_bot.delivery.event, deliveries)]
    running_bot.drain()

    assert statuses == [200, 200]
    assert len(alerts(running_bot, case)) == 1
    assert len(violations(running_bot)) == 1
    assert reload(running_bot, case).no_contact_violations == 1


def test_racing_claims_of_one_message_record_it_once(running_bot: RunningBot) -> None:
    case = warn_dmitri(running_bot)
    services = running_bot.services
    now = running_bot.clock.now()
    with services.session_factory() as session:
        [term] = active_terms(session, "U0DMITRI", now)
    violation = Violation(term, ZOE, "mention")
    rounds = 5
    for n in range(rounds):
        message = MemberMessage("C0GENERAL", "U0DMITRI", f"1793000000.00010{n}", CONTACT)
        start = threading.Barrier(3)

        def claim(message: MemberMessage = message, start: threading.Barrier = start) -> bool:
            start.wait()
            return claim_violation(services.session_factory, message, violation, now) is not None

        with ThreadPoolExecutor(max_workers=3) as pool:
            claimed = list(pool.map(lambda _: claim(), range(3)))
        assert sorted(claimed) == [False, False, True]

    assert len(violations(running_bot)) == rounds
    assert reload(running_bot, case).no_contact_violations == rounds


def test_an_edit_that_adds_the_mention_is_a_violation(running_bot: RunningBot) -> None:
    case = warn_dmitri(running_bot)
    ts = post(running_bot, "dmitri", "can we talk")
    assert alerts(running_bot, case) == []

    edit(running_bot, "dmitri", ts, "can we talk", CONTACT)

    assert len(alerts(running_bot, case)) == 1
    assert reload(running_bot, case).no_contact_violations == 1


def test_a_second_message_is_a_second_violation_and_the_count_follows(
    running_bot: RunningBot,
) -> None:
    case = warn_dmitri(running_bot)
    post(running_bot, "dmitri", CONTACT)
    post(running_bot, "dmitri", "<@U0ZOE> please answer")

    second = alerts(running_bot, case)[-1]
    assert "Broken 2 times on this case" in blocks_text(second)
    assert "No-contact terms broken:* 2 times" in blocks_text(card(running_bot, case))


def test_after_the_period_mentioning_them_is_fine(running_bot: RunningBot) -> None:
    case = warn_dmitri(running_bot)
    running_bot.clock.advance(timedelta(days=31))

    post(running_bot, "dmitri", CONTACT)

    assert alerts(running_bot, case) == []
    assert reminders(running_bot) == []
    assert violations(running_bot) == []
    assert reload(running_bot, case).no_contact_violations == 0


def test_mentioning_someone_else_is_fine(running_bot: RunningBot) -> None:
    case = warn_dmitri(running_bot)

    post(running_bot, "dmitri", "hey <@U0BOB> can we talk")

    assert alerts(running_bot, case) == []
    assert reminders(running_bot) == []
    assert violations(running_bot) == []


def test_writing_to_the_bot_about_the_protected_person_is_not_contact(
    running_bot: RunningBot,
) -> None:
    case = warn_dmitri(running_bot)
    standin = running_bot.standin
    dm = standin.dm_id("dmitri")
    event = message_event(
        dm, "U0DMITRI", "I never wrote to <@U0ZOE>, why the warning?", channel_type="im"
    )

    assert running_bot.delivery.event(event).status == 200
    running_bot.drain()

    assert alerts(running_bot, case) == []
    assert violations(running_bot) == []


def test_when_the_private_note_fails_the_reminder_comes_by_dm(running_bot: RunningBot) -> None:
    case = warn_dmitri(running_bot)
    running_bot.standin.inject("chat.postEphemeral", Fault.api_error("user_not_in_channel"))

    post(running_bot, "dmitri", CONTACT)

    assert reminders(running_bot) == []
    [reminder] = [m for m in dms_to(running_bot, "dmitri") if "private reminder" in m["text"]]
    assert "<@U0ZOE>" in blocks_text(reminder)
    [alert] = alerts(running_bot, case)
    assert "by direct message" in blocks_text(alert)
