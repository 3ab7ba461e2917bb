"""The audit run: day files in, findings out, in bounded memory.

Each day file is read, its member messages checked in batches and its findings written out
before the next file is opened. What is kept for the report is bounded whatever the export's
size: counts per policy, channel and month, the top examples per policy, the first accounts.
"""

from __future__ import annotations

import heapq
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from bot.audit.export import DayFile, SkippedFile, SlackExport
from bot.events import member_message
from moderation.engine import Engine
from moderation.ids import PolicyId
from moderation.message import Account, Message
from moderation.text import excerpt, parse_slack_text

BATCH = 64
TOP_EXAMPLES = 5
MAX_ACCOUNTS_IN_REPORT = 200


@dataclass(frozen=True)
class AuditOptions:
    since: date | None = None
    until: date | None = None
    channels: frozenset[str] | None = None
    policies: frozenset[PolicyId] | None = None


@dataclass(frozen=True)
class AuditFinding:
    channel: str
    channel_id: str
    ts: str
    thread_ts: str | None
    user_id: str
    policy: PolicyId
    score: float
    response: str
    excerpt: str

    @property
    def month(self) -> str:
        return datetime.fromtimestamp(float(self.ts), UTC).strftime("%Y-%m")


@dataclass(frozen=True)
class AccountFinding:
    user_id: str
    real_name: str
    display_name: str
    score: float
    reason: str


@dataclass
class AuditSummary:
    day_files: int = 0
    messages_read: int = 0
    messages_checked: int = 0
    users_checked: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    by_policy: Counter[PolicyId] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)
    by_month: Counter[str] = field(default_factory=Counter)
    by_policy_month: Counter[tuple[PolicyId, str]] = field(default_factory=Counter)
    top: dict[PolicyId, list[tuple[float, int, AuditFinding]]] = field(default_factory=dict)
    accounts: list[AccountFinding] = field(default_factory=list)
    accounts_to_fix: int = 0
    seconds: float = 0.0

    @property
    def findings(self) -> int:
        return sum(self.by_policy.values())

    def examples(self, policy: PolicyId) -> list[AuditFinding]:
        return [f for _, _, f in sorted(self.top.get(policy, []), reverse=True)]

    def add(self, finding: AuditFinding) -> None:
        self.by_policy[finding.policy] += 1
        self.by_channel[finding.channel] += 1
        self.by_month[finding.month] += 1
        self.by_policy_month[finding.policy, finding.month] += 1
        heap = self.top.setdefault(finding.policy, [])
        # the counter breaks ties so findings are never compared
        entry = (finding.score, -self.findings, finding)
        if len(heap) < TOP_EXAMPLES:
            heapq.heappush(heap, entry)
        else:
            heapq.heappushpop(heap, entry)


class FindingSink(Protocol):
    def finding(self, finding: AuditFinding) -> None: ...
    def account(self, account: AccountFinding) -> None: ...


class Progress(Protocol):
    def advance(self, day_file: DayFile, messages: int) -> None: ...


def run_audit(
    export: SlackExport,
    engine: Engine,
    options: AuditOptions,
    sink: FindingSink,
    *,
    on_skip: Callable[[SkippedFile], None] = lambda s: None,
    progress_factory: Callable[[int], Progress] | None = None,
) -> AuditSummary:
    started = time.monotonic()
    summary = AuditSummary()
    channels = set(options.channels) if options.channels is not None else None
    files, missing = export.day_files(options.since, options.until, channels)
    for skipped in missing:
        summary.skipped.append(skipped)
        on_skip(skipped)
    summary.day_files = len(files)
    progress = progress_factory(len(files)) if progress_factory else None
    for day_file in files:
        day = export.read_day(day_file)
        if isinstance(day, SkippedFile):
            summary.skipped.append(day)
            on_skip(day)
            if progress:
                progress.advance(day_file, 0)
            continue
        summary.messages_read += len(day.messages)
        members = list(_member_messages(day_file, day.messages))
        for start in range(0, len(members), BATCH):
            _check(engine, members[start : start + BATCH], day_file, options, summary, sink)
        if progress:
            progress.advance(day_file, len(day.messages))
    if options.policies is None or PolicyId.ANONYMOUS_ACCOUNT in options.policies:
        _check_accounts(engine, export.users(), summary, sink)
    summary.seconds = time.monotonic() - started
    return summary


def _member_messages(
    day_file: DayFile, messages: Iterable[dict[str, Any]]
) -> Iterator[tuple[dict[str, Any], Message]]:
    """Members' own words only (bot/events.py): no joins, bot posts, deletions. Export files
    carry no `channel` field, so the conversation's id is added before asking."""
    conversation = day_file.conversation
    for raw in messages:
        found = member_message({"type": "message", **raw, "channel": conversation.id})
        if found is None or not found.text.strip():
            continue
        yield (
            raw,
            Message(
                text=found.text, channel=conversation.name, id=found.ts, author_id=found.user_id
            ),
        )


def _check(
    engine: Engine,
    batch: list[tuple[dict[str, Any], Message]],
    day_file: DayFile,
    options: AuditOptions,
    summary: AuditSummary,
    sink: FindingSink,
) -> None:
    verdicts = engine.check_batch([m for _, m in batch])
    summary.messages_checked += len(batch)
    for (raw, message), verdict in zip(batch, verdicts, strict=True):
        for f in verdict.findings:
            if options.policies is not None and f.policy not in options.policies:
                continue
            finding = AuditFinding(
                channel=day_file.conversation.name or day_file.conversation.folder,
                channel_id=day_file.conversation.id,
                ts=message.id or "",
                thread_ts=raw.get("thread_ts") if raw.get("thread_ts") != message.id else None,
                user_id=message.author_id or "",
                policy=f.policy,
                score=f.score,
                response=f.response.value,
                excerpt=excerpt(parse_slack_text(message.text).plain, 160),
            )
            summary.add(finding)
            sink.finding(finding)


def _check_accounts(
    engine: Engine, users: Iterable[dict[str, Any]], summary: AuditSummary, sink: FindingSink
) -> None:
    for user in users:
        if user.get("deleted") or user.get("is_bot") or user.get("id") == "USLACKBOT":
            continue
        profile = user.get("profile")
        if not isinstance(profile, dict):
            profile = {}
        real = str(profile.get("real_name") or user.get("real_name") or "")
        display = str(profile.get("display_name") or "")
        summary.users_checked += 1
        verdict = engine.check_account(Account(real, display, id=str(user.get("id") or "")))
        for f in verdict.findings:
            account = AccountFinding(
                str(user.get("id") or ""), real, display, f.score, f.reason or ""
            )
            summary.accounts_to_fix += 1
            if len(summary.accounts) < MAX_ACCOUNTS_IN_REPORT:
                summary.accounts.append(account)
            sink.account(account)
