"""The moderators' part of the Home tab: the open queue, active bans, recent detections, how
often members dispute each policy's nudges, and enforcement steps still to do by hand.

Pure: plain data in, Block Kit out. The Home tab may be open on a shared screen, so no
message text appears here: ids, policies, numbers and dates only. Whatever came from Slack
or a backend (user and channel ids, step names, error details) is checked or escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.views.case_card import when
from bot.views.labels import POLICY_TITLES
from models.enums import CaseStatus
from moderation.ids import ActionLevel, Mode, PolicyId, Response
from moderation.ladder import LEVEL_NAMES
from moderation.text import escape_mrkdwn, excerpt

#: Slack's limit for a Home tab (shared/slack-notes.md §7, §14).
HOME_MAX_BLOCKS = 100
#: Rows the queries fetch per list (the view may show fewer, to stay within the block limit).
MAX_OPEN_CASES = 15
MAX_BANS = 10
MAX_DETECTIONS = 10
MAX_FAILED_STEPS = 10
DETAIL_LIMIT = 200
_FIELDS_PER_SECTION = 10

_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")

RESPONSE_LABELS: dict[Response, str] = {
    Response.NONE: "recorded only",
    Response.NUDGE: "nudged",
    Response.FLAG: "flagged",
    Response.NUDGE_FLAG: "nudged and flagged",
}


@dataclass(frozen=True)
class OpenCaseRow:
    case_id: int
    status: CaseStatus
    policy: PolicyId | None
    subject_user_id: str
    opened_at: datetime
    assignee_user_id: str | None = None
    card_channel_id: str | None = None


@dataclass(frozen=True)
class BanRow:
    case_id: int
    member_user_id: str
    level: ActionLevel
    starts_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class DetectionRow:
    detection_id: int
    created_at: datetime
    policy: PolicyId
    member_user_id: str
    score: float
    response: Response
    disputed: bool
    case_id: int | None = None
    mode: Mode = Mode.ENFORCE


@dataclass(frozen=True)
class PolicyRate:
    policy: PolicyId
    nudges: int
    disputed: int


@dataclass(frozen=True)
class FailedStepRow:
    case_id: int
    member_user_id: str
    level: ActionLevel
    step: str
    at: datetime | None
    detail: str | None = None


@dataclass(frozen=True)
class ModeratorHome:
    """What the queries found; each `*_total` counts all matching rows, the tuples hold the
    first few (the view may show fewer to stay within the Home tab's block limit)."""

    now: datetime
    open_cases: tuple[OpenCaseRow, ...] = ()
    open_cases_total: int = 0
    bans: tuple[BanRow, ...] = ()
    bans_total: int = 0
    detections: tuple[DetectionRow, ...] = ()
    detections_total: int = 0
    detection_days: int = 7
    rates: tuple[PolicyRate, ...] = ()
    rate_days: int = 30
    failed_steps: tuple[FailedStepRow, ...] = ()
    failed_steps_total: int = 0


# --- small formatters ---------------------------------------------------------------


def mention(user_id: str) -> str:
    """`<@U…>` for a well-formed user id; anything else is shown escaped, pinging no one."""
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else escape_mrkdwn(user_id)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def age(since: datetime, now: datetime) -> str:
    """ "3 days", "5 hours", "12 minutes", "just now" (rounded down)."""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return _plural(seconds // 60, "minute")
    if seconds < 86400:
        return _plural(seconds // 3600, "hour")
    return _plural(seconds // 86400, "day")


def rate_text(rate: PolicyRate) -> str:
    """ "2 of 40 (5%)"; "no nudges" when none were sent. A rate under 1% but above 0 reads
    "<1%", so one dispute never shows as 0%."""
    if rate.nudges <= 0:
        return "no nudges"
    percent = rate.disputed * 100 / rate.nudges
    shown = "<1" if 0 < percent < 1 else str(int(percent + 0.5))
    return f"{rate.disputed} of {rate.nudges} ({shown}%)"


def _case_ref(row: OpenCaseRow) -> str:
    label = f"#{row.case_id}"
    if row.card_channel_id and _CHANNEL_ID.fullmatch(row.card_channel_id):
        # Opens the channel the card was posted in (not the message itself: a permalink
        # costs a chat.getPermalink call per row on every visit to the tab).
        return f"<https://slack.com/app_redirect?channel={row.card_channel_id}|{label}>"
    return label


def case_line(row: OpenCaseRow, now: datetime) -> str:
    title = POLICY_TITLES[row.policy] if row.policy else "Report"
    assignee = mention(row.assignee_user_id) if row.assignee_user_id else "_unassigned_"
    status = " (triaged)" if row.status is CaseStatus.TRIAGED else ""
    return (
        f"*{_case_ref(row)}* {title}{status} · {mention(row.subject_user_id)} · "
        f"{age(row.opened_at, now)} · {assignee}"
    )


def ban_line(row: BanRow, now: datetime) -> str:
    level = LEVEL_NAMES[row.level]
    if row.expires_at is None:
        end = "no end date"
    else:
        left = age(now, row.expires_at)
        end = (
            f"until {when(row.expires_at)} ({'ending now' if left == 'just now' else 'in ' + left})"
        )
    return f"{mention(row.member_user_id)} · *{level}* · {end} · case #{row.case_id}"


def detection_line(row: DetectionRow) -> str:
    parts = [
        when(row.created_at),
        POLICY_TITLES[row.policy],
        mention(row.member_user_id),
        f"score {row.score:.2f}",
        RESPONSE_LABELS[row.response] + (" (shadow)" if row.mode is Mode.SHADOW else ""),
    ]
    if row.case_id is not None:
        parts.append(f"case #{row.case_id}")
    if row.disputed:
        parts.append(":warning: *disputed*")
    return " · ".join(parts)


def failed_step_line(row: FailedStepRow) -> str:
    step = escape_mrkdwn(excerpt(row.step.replace("`", "'"), 80)) or "a step"
    line = (
        f"*Case #{row.case_id}* · {mention(row.member_user_id)} · {LEVEL_NAMES[row.level]} · "
        f"`{step}` failed"
    )
    if row.at is not None:
        line += f" {when(row.at)}"
    if row.detail:
        line += f": {escape_mrkdwn(excerpt(row.detail, DETAIL_LIMIT))}"
    return line


# --- layout ---------------------------------------------------------------------------


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


@dataclass(frozen=True)
class _List:
    title: str
    empty: str
    lines: tuple[str, ...]
    total: int
    more: Callable[[int], str]

    def blocks(self, shown: int) -> list[Block]:
        """Title (with the empty state in it), one section per row, then "and N more"."""
        title = f"*{self.title}* ({self.total})" if self.total else f"*{self.title}*"
        if not self.total:
            return [_section(f"{title}\n{self.empty}")]
        blocks: list[Block] = [_section(title)]
        blocks.extend(_section(line) for line in self.lines[:shown])
        hidden = self.total - min(shown, len(self.lines))
        if hidden > 0:
            blocks.append(_context(self.more(hidden)))
        return blocks


def _rate_blocks(home: ModeratorHome) -> list[Block]:
    title = _section(
        f"*Disputed nudges, last {home.rate_days} days*\n"
        "How often members pressed \u201cThis isn't \u2026\u201d on a nudge, per policy."
    )
    if not home.rates:
        return [title]
    fields = [
        MarkdownTextObject(text=f"*{POLICY_TITLES[r.policy]}*\n{rate_text(r)}") for r in home.rates
    ]
    chunks = [
        fields[i : i + _FIELDS_PER_SECTION] for i in range(0, len(fields), _FIELDS_PER_SECTION)
    ]
    return [title, *(SectionBlock(fields=chunk) for chunk in chunks)]


def _lists(home: ModeratorHome) -> list[_List]:
    now = home.now
    return [
        _List(
            "Open cases, oldest first",
            "No open cases. :tada:",
            tuple(case_line(r, now) for r in home.open_cases),
            home.open_cases_total,
            lambda n: f"and {n} more \u2014 `conduct cases list`",
        ),
        _List(
            "Active bans",
            "No active bans.",
            tuple(ban_line(r, now) for r in home.bans),
            home.bans_total,
            lambda n: f"and {n} more",
        ),
        _List(
            f"Detections, last {home.detection_days} days",
            "Nothing detected.",
            tuple(detection_line(r) for r in home.detections),
            home.detections_total,
            lambda n: f"and {n} more in the last {home.detection_days} days",
        ),
        _List(
            "Enforcement steps that failed \u2014 still to do by hand",
            "None: every step went through.",
            tuple(failed_step_line(r) for r in home.failed_steps),
            home.failed_steps_total,
            lambda n: f"and {n} more",
        ),
    ]


def _fit(lists: Sequence[_List], budget: int) -> list[int] | None:
    """How many rows of each list to show so that the lists take at most `budget` blocks:
    take a row from the longest list until it fits (None when even no rows do not fit)."""
    shown = [len(item.lines) for item in lists]

    def size() -> int:
        return sum(len(item.blocks(n)) for item, n in zip(lists, shown, strict=True))

    while size() > budget:
        longest = max(range(len(shown)), key=lambda i: shown[i])
        if shown[longest] == 0:
            return None
        shown[longest] -= 1
    return shown


def moderator_blocks(home: ModeratorHome, max_blocks: int = HOME_MAX_BLOCKS) -> list[Block]:
    """The moderators' section in at most `max_blocks` blocks: long lists are shortened
    (with "and N more") so that, added to the member's part, the Home tab stays ≤ 100."""
    head: list[Block] = [
        HeaderBlock(text="For moderators"),
        _context("Only moderators see this section. It shows ids and policies, never messages."),
    ]
    rates = _rate_blocks(home)
    lists = _lists(home)
    shown = _fit(lists, max_blocks - len(head) - len(rates))
    if shown is None:
        if max_blocks < 2:
            return []
        return [
            head[0],
            _section("There is too much to show here. Use `conduct cases list` for the queue."),
        ]
    cases, bans, detections, failed = (item.blocks(n) for item, n in zip(lists, shown, strict=True))
    return [*head, *cases, *bans, *detections, *rates, *failed]
