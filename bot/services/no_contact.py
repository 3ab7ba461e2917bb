"""No-contact terms: noticing when a member under a Warning or a Temporary Ban contacts someone
the decision told them to leave alone (the guidelines' "no interaction with the people
involved ... for a specified period"), and telling the moderators, and the member, once.

Two kinds of contact are seen, both in conversations the bot is in: a `<@U…>` mention of a
protected person, and a reply in a thread whose parent a protected person posted. DMs between
members never reach the bot. A member's DM *with the bot* is not contact with anyone (they
may well be writing to us about the decision), so it is skipped.

`violations` is the pure decision. `check_no_contact` is the use case around it:

1. the member's decisions in force, from the database (one small query per message);
2. who started the thread, from `conversations.replies` (only for a member with terms in
   force who replies in a thread; cached briefly, see `slack_lookups.ThreadAuthors`);
3. per broken term (one action, one protected person), one transaction that claims the
   violation: bump `cases.no_contact_violations` atomically, check the audit log for the same
   (channel, ts, action, person) - an edit re-delivers the message - and record the
   "no_contact.violation" audit event; a duplicate rolls back and is dropped;
4. for what was new: one reminder to the member (ephemeral, a DM if that fails), one alert
   per broken term in the case card's thread, and the card redrawn with its count.

The counter is bumped with a SQL UPDATE that does not touch `cases.version`: the version is
the optimistic lock between two moderators *deciding* a case, and a violation count is not a
decision. Bumping it would make a moderator's decision (or any other case change) that was
loaded before the violation fail with "the case changed" for no reason. Nothing writes the
counter through the ORM (it is only ever incremented in SQL), so a session holding a stale
copy never overwrites it. The UPDATE also serves as the lock that makes the audit-log check
safe: a second delivery of the same message waits on the row until the first commits, then
finds its audit event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.events import MemberMessage
from bot.services.audit import record
from bot.services.case_cards import redraw_case_card
from bot.services.context import AppServices
from bot.services.direct_messages import send_direct_message
from bot.settings import CommunitySettings
from bot.views.no_contact import (
    REMINDER_FALLBACK_TEXT,
    NoContactReminder,
    ReminderOutcome,
    ReminderTerm,
    ViolationAlert,
    ViolationKind,
    alert_blocks,
    alert_fallback_text,
    reminder_blocks,
)
from models import ActionStatus, AuditEvent, Case, EnforcementAction, Member, Mode
from moderation.ids import ActionLevel
from moderation.ladder import rank
from moderation.text import parse_slack_text

log = logging.getLogger(__name__)

AUDIT_ACTION = "no_contact.violation"
#: The decisions whose terms include "no interaction with the people involved".
TERM_LEVELS = frozenset({ActionLevel.WARNING, ActionLevel.TEMPORARY_BAN})

# --------------------------------------------------------------------------- the decision


@dataclass(frozen=True)
class NoContactTerm:
    """One decision's no-contact list, as the decision needs it."""

    action_id: int
    case_id: int
    member_user_id: str
    level: ActionLevel
    status: ActionStatus
    protected_user_ids: tuple[str, ...]
    starts_at: datetime
    expires_at: datetime | None

    def in_force(self, now: datetime) -> bool:
        return (
            self.status is ActionStatus.ACTIVE
            and self.level in TERM_LEVELS
            and bool(self.protected_user_ids)
            and self.starts_at <= now
            and (self.expires_at is None or now < self.expires_at)
        )


@dataclass(frozen=True)
class Violation:
    term: NoContactTerm
    protected_user_id: str
    kind: ViolationKind


def violations(
    message_mentions: Iterable[str],
    thread_parent_author: str | None,
    active_terms: Iterable[NoContactTerm],
    now: datetime,
) -> list[Violation]:
    """The terms a message broke: one per (action, protected person), in action order.

    A person both mentioned and replied to counts once, as a mention. Terms not in force
    (lifted, overturned, expired, not started, a level without terms, an empty list) and the
    member themselves (a mistaken entry, or talking in their own thread) never count.
    """
    mentioned = set(message_mentions)
    found: list[Violation] = []
    for term in sorted(active_terms, key=lambda t: t.action_id):
        if not term.in_force(now):
            continue
        for person in dict.fromkeys(term.protected_user_ids):
            if person == term.member_user_id:
                continue
            if person in mentioned:
                found.append(Violation(term, person, "mention"))
            elif thread_parent_author is not None and person == thread_parent_author:
                found.append(Violation(term, person, "thread_reply"))
    return found


# --------------------------------------------------------------------------- database


def active_terms(session: Session, user_id: str, now: datetime) -> list[NoContactTerm]:
    """The member's Warnings and Temporary Bans in force now (lists may still be empty)."""
    rows = session.execute(
        select(
            EnforcementAction.id,
            EnforcementAction.case_id,
            EnforcementAction.level,
            EnforcementAction.status,
            EnforcementAction.no_contact_user_ids,
            EnforcementAction.starts_at,
            EnforcementAction.expires_at,
        )
        .join(Member, Member.id == EnforcementAction.member_id)
        .where(
            Member.slack_user_id == user_id,
            EnforcementAction.status == ActionStatus.ACTIVE,
            EnforcementAction.level.in_(TERM_LEVELS),
            EnforcementAction.starts_at <= now,
            or_(EnforcementAction.expires_at.is_(None), EnforcementAction.expires_at > now),
        )
        .order_by(EnforcementAction.id)
    )
    return [
        NoContactTerm(
            action_id=row.id,
            case_id=row.case_id,
            member_user_id=user_id,
            level=row.level,
            status=row.status,
            protected_user_ids=tuple(row.no_contact_user_ids or ()),
            starts_at=row.starts_at,
            expires_at=row.expires_at,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Claimed:
    """A violation recorded for the first time, with what the alert needs from its case."""

    violation: Violation
    count: int
    card_channel_id: str | None
    card_ts: str | None


def _same_message(details: Mapping[str, Any], message: MemberMessage, v: Violation) -> bool:
    return (
        details.get("channel_id") == message.channel_id
        and details.get("ts") == message.ts
        and details.get("action_id") == v.term.action_id
        and details.get("protected_user_id") == v.protected_user_id
    )


def claim_violation(
    session_factory: sessionmaker[Session], message: MemberMessage, v: Violation, now: datetime
) -> Claimed | None:
    """Record the violation once per (channel, ts, action, person); None when it already was.

    The UPDATE comes first: it locks the case's row (PostgreSQL) or the database (SQLite)
    until commit, so two deliveries of one message cannot both miss the other's audit event.
    """
    case_id = v.term.case_id
    with session_factory() as session:
        session.execute(
            update(Case)
            .where(Case.id == case_id)
            # updated_at set from our clock: the column's onupdate would use the wall clock.
            # version deliberately not bumped (module docstring).
            .values(no_contact_violations=Case.no_contact_violations + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        earlier = session.scalars(
            select(AuditEvent.details).where(
                AuditEvent.action == AUDIT_ACTION,
                AuditEvent.case_id == case_id,
                AuditEvent.actor_slack_id == message.user_id,
            )
        )
        if any(_same_message(details or {}, message, v) for details in earlier):
            session.rollback()
            return None
        row = session.execute(
            select(Case.no_contact_violations, Case.card_channel_id, Case.card_ts).where(
                Case.id == case_id
            )
        ).one()
        record(
            session,
            AUDIT_ACTION,
            now,
            actor=message.user_id,
            case_id=case_id,
            subject=message.user_id,
            action_id=v.term.action_id,
            protected_user_id=v.protected_user_id,
            kind=v.kind,
            channel_id=message.channel_id,
            ts=message.ts,
        )
        session.commit()
    return Claimed(v, int(row.no_contact_violations), row.card_channel_id, row.card_ts)


# --------------------------------------------------------------------------- Slack


def _is_dm_with_bot(message: MemberMessage) -> bool:
    return message.channel_type == "im" or message.channel_id.startswith("D")


def _permalink(client: WebClient, message: MemberMessage) -> str | None:
    try:
        answer = client.chat_getPermalink(channel=message.channel_id, message_ts=message.ts)
    except SlackApiError as exc:
        log.warning(
            "no permalink for a no-contact alert", extra={"error": exc.response.get("error")}
        )
        return None
    permalink = answer.get("permalink")
    return str(permalink) if permalink else None


def reminder_for(community: str, claimed: Iterable[Violation]) -> NoContactReminder:
    """One reminder for a message: each protected person once, with the latest end of the
    terms it broke (None, no end, beats any date)."""
    ends: dict[str, datetime | None] = {}
    level = ActionLevel.WARNING
    for v in claimed:
        if rank(v.term.level) > rank(level):
            level = v.term.level
        end = v.term.expires_at
        if v.protected_user_id not in ends:
            ends[v.protected_user_id] = end
        else:
            known = ends[v.protected_user_id]
            ends[v.protected_user_id] = None if known is None or end is None else max(known, end)
    return NoContactReminder(
        community=community,
        level=level,
        terms=tuple(ReminderTerm(person, end) for person, end in ends.items()),
    )


def send_reminder(
    client: WebClient, message: MemberMessage, reminder: NoContactReminder
) -> ReminderOutcome:
    """Ephemeral where the member wrote (in the thread when they replied in one); a DM when
    Slack refuses that (not in the channel any more, an archived channel...)."""
    blocks = reminder_blocks(reminder)
    try:
        client.chat_postEphemeral(
            channel=message.channel_id,
            user=message.user_id,
            text=REMINDER_FALLBACK_TEXT,
            blocks=blocks,
            thread_ts=message.thread_ts if message.in_thread else None,
        )
    except SlackApiError as exc:
        log.info(
            "no-contact reminder: ephemeral refused, trying a DM",
            extra={"error": exc.response.get("error")},
        )
    else:
        return "ephemeral"
    try:
        send_direct_message(client, message.user_id, REMINDER_FALLBACK_TEXT, blocks)
    except SlackApiError as exc:
        log.warning("no-contact reminder not delivered", extra={"error": exc.response.get("error")})
        return "failed"
    return "dm"


def post_alert(
    services: AppServices, moderators_channel: str, claimed: Claimed, alert: ViolationAlert
) -> bool:
    """In the case card's thread; in the moderators' channel when the card was never posted."""
    channel, thread_ts = claimed.card_channel_id, claimed.card_ts
    if channel is None or thread_ts is None:
        channel, thread_ts = services.directory.id_of(moderators_channel), None
    if channel is None:
        log.error("moderators' channel not found; invite the bot to it")
        return False
    try:
        services.client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=alert_fallback_text(alert),
            blocks=alert_blocks(alert),
        )
    except SlackApiError as exc:
        log.warning(
            "no-contact alert not posted",
            extra={"case_id": alert.case_id, "error": exc.response.get("error")},
        )
        return False
    return True


# --------------------------------------------------------------------------- the use case


def check_no_contact(
    services: AppServices, community: CommunitySettings, message: MemberMessage
) -> list[Claimed]:
    """Check one member message (new or edited) against the member's no-contact terms;
    returns the violations recorded for the first time (empty for nearly every message)."""
    if _is_dm_with_bot(message):
        return []
    now = services.clock.now()
    with services.session_factory() as session:
        terms = [t for t in active_terms(session, message.user_id, now) if t.in_force(now)]
    if not terms:
        return []
    mentions = parse_slack_text(message.text).user_ids
    protected = {p for t in terms for p in t.protected_user_ids} - {message.user_id}
    parent = None
    if message.in_thread and message.thread_ts and protected - set(mentions):
        parent = services.lookups.thread_authors.author_of(
            message.channel_id, message.thread_ts, now
        )
    found = violations(mentions, parent, terms, now)
    claimed = [
        c for v in found if (c := claim_violation(services.session_factory, message, v, now))
    ]
    if not claimed:
        return []
    log.info(
        "no-contact terms broken",
        extra={"actions": sorted({c.violation.term.action_id for c in claimed})},
    )
    reminder: ReminderOutcome = (
        "shadow"
        if community.mode is Mode.SHADOW
        else send_reminder(
            services.client,
            message,
            reminder_for(community.name, (c.violation for c in claimed)),
        )
    )
    permalink = _permalink(services.client, message)
    moderators_channel = community.channels.moderators
    for c in claimed:
        v = c.violation
        alert = ViolationAlert(
            case_id=v.term.case_id,
            action_id=v.term.action_id,
            level=v.term.level,
            member_user_id=message.user_id,
            protected_user_id=v.protected_user_id,
            kind=v.kind,
            channel_id=message.channel_id,
            message_ts=message.ts,
            permalink=permalink,
            ends_at=v.term.expires_at,
            count=c.count,
            reminder=reminder,
        )
        post_alert(services, moderators_channel, c, alert)
    for case_id in dict.fromkeys(c.violation.term.case_id for c in claimed):
        redraw_case_card(services, moderators_channel, case_id)
    return claimed
