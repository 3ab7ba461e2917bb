"""No-contact terms broken: the moderators' alert in the case card's thread, and the member's
private reminder.

Pure: plain data in, text and Block Kit out. Neither quotes the member's message: the alert
carries ids and a link, so the case thread does not become a second copy of what was said.
Every id is checked before it becomes `<@…>`/`<#…>` markup; anything else is escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.views.case_card import link
from moderation.ids import ActionLevel
from moderation.ladder import LEVEL_NAMES
from moderation.text import escape_mrkdwn

ViolationKind = Literal["mention", "thread_reply"]
ReminderOutcome = Literal["ephemeral", "dm", "failed", "shadow"]

_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,30}")
_TS = re.compile(r"\d{1,12}\.\d{1,9}")

#: What the guidelines say comes after breaking the terms of each level.
_NEXT_STEP = {
    ActionLevel.WARNING: "a temporary or permanent ban",
    ActionLevel.TEMPORARY_BAN: "a permanent ban",
}

_REMINDER_OUTCOMES: dict[ReminderOutcome, str] = {
    "ephemeral": "reminded privately in the channel",
    "dm": "reminded by direct message (the private note in the channel failed)",
    "failed": "not reminded: Slack refused both the private note and the direct message",
    "shadow": "not reminded (shadow mode: nothing is sent to members)",
}


def user_ref(user_id: str) -> str:
    """`<@U…>` for a well-formed user id; anything else shown as inert text."""
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else escape_mrkdwn(user_id)


def channel_ref(channel_id: str) -> str:
    return f"<#{channel_id}>" if _CHANNEL_ID.fullmatch(channel_id) else escape_mrkdwn(channel_id)


def until(moment: datetime | None) -> str:
    """When a term ends, in the reader's local time (UTC in the fallback)."""
    if moment is None:
        return "until the moderators lift it"
    return (
        f"until <!date^{int(moment.timestamp())}^{{date_long_pretty}} {{time}}|"
        f"{moment:%Y-%m-%d %H:%M} UTC>"
    )


def times(count: int) -> str:
    return f"{count} time{'s' if count != 1 else ''}"


# --------------------------------------------------------------------------- moderators


@dataclass(frozen=True)
class ViolationAlert:
    """One broken term: one action, one protected person, one message."""

    case_id: int
    action_id: int
    level: ActionLevel
    member_user_id: str
    protected_user_id: str
    kind: ViolationKind
    channel_id: str
    message_ts: str
    permalink: str | None
    ends_at: datetime | None
    count: int
    """How many times the terms of this case have been broken, this one included."""
    reminder: ReminderOutcome


def alert_fallback_text(alert: ViolationAlert) -> str:
    return (
        f"No-contact term broken on case #{alert.case_id}: "
        f"{user_ref(alert.member_user_id)} and {user_ref(alert.protected_user_id)}"
    )


def _what_happened(alert: ViolationAlert) -> str:
    member, protected = user_ref(alert.member_user_id), user_ref(alert.protected_user_id)
    where = channel_ref(alert.channel_id)
    if alert.kind == "mention":
        return f"{member} mentioned {protected} in {where}"
    return f"{member} replied in {where} in a thread started by {protected}"


def _message_line(alert: ViolationAlert) -> str:
    if alert.permalink:
        return link(alert.permalink, "Open the message")
    ts = alert.message_ts if _TS.fullmatch(alert.message_ts) else escape_mrkdwn(alert.message_ts)
    return f"Message {ts} in {channel_ref(alert.channel_id)} (no link: Slack did not give one)"


def alert_blocks(alert: ViolationAlert) -> list[Block]:
    term = (
        f"Term: no contact with {user_ref(alert.protected_user_id)} "
        f"({LEVEL_NAMES[alert.level]}, decision #{alert.action_id}, {until(alert.ends_at)})"
    )
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":warning: *No-contact term broken:* {_what_happened(alert)}.\n"
                f"{term}\n{_message_line(alert)}"
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Broken {times(alert.count)} on this case so far · "
                    f"The member was {_REMINDER_OUTCOMES[alert.reminder]}."
                )
            ]
        ),
    ]


# --------------------------------------------------------------------------- the member


@dataclass(frozen=True)
class ReminderTerm:
    protected_user_id: str
    ends_at: datetime | None


@dataclass(frozen=True)
class NoContactReminder:
    """One reminder per message, however many terms it broke."""

    community: str
    level: ActionLevel
    """The strictest level among the decisions whose terms were broken."""
    terms: tuple[ReminderTerm, ...]


REMINDER_FALLBACK_TEXT = "A private reminder about the terms of your moderation decision"


def reminder_text(reminder: NoContactReminder) -> str:
    people = "\n".join(
        f"• {user_ref(t.protected_user_id)}, {until(t.ends_at)}" for t in reminder.terms
    )
    next_step = _NEXT_STEP.get(reminder.level, "a stronger decision")
    return (
        f":wave: A private reminder from the {escape_mrkdwn(reminder.community)} moderators.\n"
        f"The terms of your {LEVEL_NAMES[reminder.level].lower()} ask you not to contact these "
        f"people, which includes mentioning them and replying in their threads:\n{people}\n"
        "Your last message did one of these, and the moderators have been told. "
        f"Breaking these terms again may lead to {next_step}.\n"
        "If you think this is a mistake, or you need to reach them for a good reason, "
        "please write to the moderators instead."
    )


def reminder_blocks(reminder: NoContactReminder) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=reminder_text(reminder)))]
