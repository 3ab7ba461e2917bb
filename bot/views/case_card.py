"""The case card in the moderators' channel: who, what, which clause, from which sources.

Pure: plain data in, Block Kit out. Every piece of member text is escaped here, so a report
that says "<!channel>" or "<@U123>" shows those characters and pings no one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.views.labels import POLICY_TITLES
from models.enums import CaseStatus
from moderation.ids import PolicyId
from moderation.text import escape_mrkdwn, excerpt

QUOTE_LIMIT = 600
_SAFE_URL = re.compile(r"https://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~%/?=&+-]*)?")


@dataclass(frozen=True)
class DetectionEntry:
    policy: PolicyId
    score: float
    clause: str
    excerpt: str | None
    permalink: str | None
    false_positive: bool = False


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
class CaseCard:
    case_id: int
    status: CaseStatus
    subject_user_id: str
    opened_at: datetime
    policy: PolicyId | None = None
    detections: tuple[DetectionEntry, ...] = ()
    reports: tuple[ReportEntry, ...] = ()
    extra_blocks: tuple[Block, ...] = field(default=())


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Member text as an escaped mrkdwn block quote."""
    lines = escape_mrkdwn(excerpt(text, limit) if len(text) > limit else text).splitlines() or [""]
    return "\n".join(f">{line}" for line in lines)


def link(url: str, label: str) -> str:
    """A mrkdwn link when `url` is a plain https URL; otherwise the escaped text, inert."""
    if _SAFE_URL.fullmatch(url):
        return f"<{url}|{label}>"
    return escape_mrkdwn(url)


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
            ]
        ),
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
    blocks.extend(card.extra_blocks)
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Opened <!date^{int(card.opened_at.timestamp())}^{{date_short_pretty}} "
                    f"{{time}}|{card.opened_at:%Y-%m-%d %H:%M} UTC>"
                )
            ]
        )
    )
    return blocks
