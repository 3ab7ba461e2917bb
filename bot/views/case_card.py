"""The case card in the moderators' channel: who, what, which clause, from which sources.

Pure: plain data in, Block Kit out. Every piece of member text is escaped here, so a report
that says "<!channel>" or "<@U123>" shows those characters and pings no one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.ids import CaseAction
from bot.views.labels import POLICY_TITLES
from models.enums import ActionStatus, CaseStatus, NudgeStatus
from moderation.ids import ActionLevel, PolicyId
from moderation.ladder import LEVEL_NAMES
from moderation.text import escape_mrkdwn, excerpt

QUOTE_LIMIT = 600
MAX_NOTES = 10
MAX_FAILED_SHOWN = 5
_SAFE_URL = re.compile(r"https://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~%/?=&+-]*)?")


@dataclass(frozen=True)
class DetectionEntry:
    policy: PolicyId
    score: float
    clause: str
    excerpt: str | None
    permalink: str | None
    false_positive: bool = False
    nudge: NudgeStatus | None = None
    """What became of the nudge; None: there was none (a flag for moderators only)."""


# Whether the member has heard from the bot decides the moderator's next step: a member never
# told (a harassment flag below the nudge threshold) learns of it only from a moderator.
NUDGE_OUTCOMES = {
    None: "The member was not told: flagged for moderators only.",
    NudgeStatus.SENT: "The member was sent a private nudge.",
    NudgeStatus.SUPPRESSED: "The member was not nudged: they had a nudge for this rule recently.",
    NudgeStatus.SHADOW: "The member was not told: shadow mode.",
    NudgeStatus.FAILED: "The nudge to the member could not be delivered.",
}


@dataclass(frozen=True)
class ReportEntry:
    reporter_user_id: str
    description: str
    named_user_ids: tuple[str, ...]
    message_link: str | None = None
    occurred_when: str | None = None
    extra: str | None = None
    contact_preference: str | None = None


@dataclass(frozen=True)
class PastAction:
    level: ActionLevel
    decided_at: datetime
    status: ActionStatus


@dataclass(frozen=True)
class MemberHistory:
    """The member's record before this case, for the moderators' judgement."""

    actions: tuple[PastAction, ...] = ()
    nudges: int = 0
    disputed_nudges: int = 0


@dataclass(frozen=True)
class NoteEntry:
    author_user_id: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class DecisionEntry:
    level: ActionLevel
    decided_by_user_id: str
    decided_at: datetime
    status: ActionStatus
    ends_at: datetime | None = None
    action_id: int | None = None
    #: Slack steps that failed and still need a person ("conversations.kick C0… (error)")
    failed_steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseCard:
    case_id: int
    status: CaseStatus
    subject_user_id: str
    opened_at: datetime
    policy: PolicyId | None = None
    detections: tuple[DetectionEntry, ...] = ()
    reports: tuple[ReportEntry, ...] = ()
    assignee_user_id: str | None = None
    history: MemberHistory = field(default_factory=MemberHistory)
    suggested: ActionLevel | None = None
    recused_user_ids: tuple[str, ...] = ()
    notes: tuple[NoteEntry, ...] = ()
    decision: DecisionEntry | None = None
    dismiss_reason: str | None = None
    extra_blocks: tuple[Block, ...] = field(default=())
    #: times the member broke the no-contact terms of this case's decision
    no_contact_violations: int = 0


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Member text as an escaped mrkdwn block quote."""
    lines = escape_mrkdwn(excerpt(text, limit) if len(text) > limit else text).splitlines() or [""]
    return "\n".join(f">{line}" for line in lines)


def link(url: str, label: str) -> str:
    """A mrkdwn link when `url` is a plain https URL; otherwise the escaped text, inert."""
    if _SAFE_URL.fullmatch(url):
        return f"<{url}|{label}>"
    return escape_mrkdwn(url)


def when(moment: datetime) -> str:
    """Slack shows the reader's local time; the fallback is UTC."""
    return (
        f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|"
        f"{moment:%Y-%m-%d %H:%M} UTC>"
    )


def _history_line(history: MemberHistory) -> str:
    if not history.actions and not history.nudges:
        return "*History:* nothing before this case"
    parts = [
        f"{LEVEL_NAMES[a.level]} {a.decided_at:%Y-%m-%d}"
        + (f" ({a.status.value})" if a.status is not ActionStatus.ACTIVE else "")
        for a in history.actions
    ]
    if history.nudges:
        parts.append(
            f"{history.nudges} nudge{'s' if history.nudges != 1 else ''}"
            + (f", {history.disputed_nudges} disputed" if history.disputed_nudges else "")
        )
    return "*History:* " + "; ".join(parts)


def _no_contact_line(count: int) -> str:
    return f"*No-contact terms broken:* {count} time{'s' if count != 1 else ''} (see the thread)"


def _buttons(card: CaseCard) -> ActionsBlock:
    value = str(card.case_id)
    return ActionsBlock(
        block_id=f"case:{value}",
        elements=[
            ButtonElement(text="Assign to me", action_id=CaseAction.ASSIGN, value=value),
            ButtonElement(
                text="Take action", action_id=CaseAction.TAKE_ACTION, value=value, style="primary"
            ),
            ButtonElement(text="Dismiss", action_id=CaseAction.DISMISS, value=value),
            ButtonElement(text="Add note", action_id=CaseAction.ADD_NOTE, value=value),
        ],
    )


def fallback_text(card: CaseCard) -> str:
    title = POLICY_TITLES[card.policy] if card.policy else "Report"
    return f"Case #{card.case_id}: {title} ({card.status.value})"


def case_card_blocks(card: CaseCard) -> list[Block]:
    title = POLICY_TITLES[card.policy] if card.policy else "Member report"
    blocks: list[Block] = [
        HeaderBlock(text=f"Case #{card.case_id} · {title}"[:150]),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Member*\n<@{card.subject_user_id}>"),
                MarkdownTextObject(text=f"*Status*\n{card.status.value.capitalize()}"),
                MarkdownTextObject(
                    text="*Assigned to*\n"
                    + (f"<@{card.assignee_user_id}>" if card.assignee_user_id else "nobody yet")
                ),
                MarkdownTextObject(
                    text="*Ladder suggests*\n"
                    + (LEVEL_NAMES[card.suggested] if card.suggested else "n/a")
                ),
            ]
        ),
        SectionBlock(text=MarkdownTextObject(text=_history_line(card.history))),
    ]
    for detection in card.detections:
        blocks.append(DividerBlock())
        lines = [
            f"*Detected:* {POLICY_TITLES[detection.policy]} (score {detection.score:.2f})",
        ]
        if detection.excerpt:
            lines.append(quote(detection.excerpt))
        if detection.permalink:
            lines.append(link(detection.permalink, "Open the message"))
        lines.append(NUDGE_OUTCOMES[detection.nudge])
        if detection.false_positive:
            lines.append("_The member said this is not what the rule means._")
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines))))
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"Guideline: {detection.clause}")])
        )
    for report in card.reports:
        blocks.append(DividerBlock())
        named = ", ".join(f"<@{u}>" for u in report.named_user_ids) or "nobody named"
        lines = [f"*Reported by* <@{report.reporter_user_id}> · about {named}"]
        lines.append(quote(report.description))
        if report.message_link:
            lines.append(link(report.message_link, "Open the message"))
        if report.occurred_when:
            lines.append(f"*When:* {escape_mrkdwn(report.occurred_when)}")
        if report.extra:
            lines.append(f"*Also:* {escape_mrkdwn(excerpt(report.extra, QUOTE_LIMIT))}")
        if report.contact_preference:
            lines.append(f"*Contact the reporter:* {escape_mrkdwn(report.contact_preference)}")
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines))))
    for note in card.notes[-MAX_NOTES:]:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"Note from <@{note.author_user_id}>, {when(note.created_at)}: "
                        f"{escape_mrkdwn(excerpt(note.text, QUOTE_LIMIT))}"
                    )
                ]
            )
        )
    blocks.extend(card.extra_blocks)
    if card.decision is not None:
        d = card.decision
        line = (
            f"*Decided:* {LEVEL_NAMES[d.level]} by <@{d.decided_by_user_id}>, {when(d.decided_at)}"
        )
        if d.ends_at is not None:
            line += f", until {when(d.ends_at)}"
        if d.status is not ActionStatus.ACTIVE and d.level is not ActionLevel.NO_ACTION:
            line += f" ({d.status.value})"
        if d.failed_steps:
            shown = ", ".join(escape_mrkdwn(f) for f in d.failed_steps[:MAX_FAILED_SHOWN])
            more = len(d.failed_steps) - MAX_FAILED_SHOWN
            line += f"\n:warning: *Not done on Slack, do it by hand:* {shown}" + (
                f" and {more} more" if more > 0 else ""
            )
        if card.no_contact_violations:  # in the same block: a card has at most 50
            line += "\n" + _no_contact_line(card.no_contact_violations)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=line)))
    if card.status is CaseStatus.DISMISSED:
        reason = escape_mrkdwn(excerpt(card.dismiss_reason or "", QUOTE_LIMIT))
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Dismissed:* {reason}")))
    if card.recused_user_ids:
        names = ", ".join(f"<@{u}>" for u in card.recused_user_ids)
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"Recused (involved): {names}")])
        )
    if card.status in (CaseStatus.OPEN, CaseStatus.TRIAGED):
        blocks.append(_buttons(card))
    elif (
        card.decision is not None
        and card.decision.action_id is not None
        and card.decision.level is ActionLevel.TEMPORARY_BAN
        and card.decision.status is ActionStatus.ACTIVE
    ):
        blocks.append(
            ActionsBlock(
                block_id=f"ban:{card.decision.action_id}",
                elements=[
                    ButtonElement(
                        text="Change the end",
                        action_id=CaseAction.CHANGE_END,
                        value=str(card.decision.action_id),
                    )
                ],
            )
        )
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text=f"Opened {when(card.opened_at)}")])
    )
    return blocks
