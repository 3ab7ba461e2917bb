"""A member's message through the engine: detections recorded, nudges decided, cases opened.

The database is written (and committed) first; what must then be sent to Slack comes back as
a plan, so a Slack failure never loses a detection and a retry never nudges twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.events import MemberMessage
from bot.services.cases import open_or_join_case
from bot.settings import CommunitySettings
from models import Detection, Member, Mode, Nudge, NudgeStatus, PolicyId, Response
from moderation.engine import Engine
from moderation.message import Message
from moderation.text import excerpt, parse_slack_text
from moderation.verdict import Finding, Verdict

if TYPE_CHECKING:
    from bot.observability import Metrics

EXCERPT_LIMIT = 300
NUDGING = (Response.NUDGE, Response.NUDGE_FLAG)
FLAGGING = (Response.FLAG, Response.NUDGE_FLAG)


@dataclass(frozen=True)
class PlannedNudge:
    nudge_id: int
    detection_id: int
    policy: PolicyId
    clause: str
    user_id: str
    channel_id: str
    thread_ts: str | None


@dataclass
class CheckOutcome:
    """What the caller must do on Slack once the transaction is committed."""

    verdict: Verdict
    nudges: list[PlannedNudge] = field(default_factory=list)
    cases: list[int] = field(default_factory=list)
    """Cases opened or joined: their cards need posting or redrawing."""
    held_nudges: list[tuple[PolicyId, NudgeStatus]] = field(default_factory=list)
    """Nudges recorded but not to be sent: suppressed by the rate limit, or shadow."""


def check_message(
    engine: Engine, message: MemberMessage, channel_name: str, metrics: Metrics | None = None
) -> Verdict:
    started = time.perf_counter()
    verdict = engine.check(
        Message(text=message.text, channel=channel_name, id=message.ts, author_id=message.user_id)
    )
    if metrics is not None:
        findings = [(f.policy.value, f.response.value) for f in verdict.findings]
        metrics.check(time.perf_counter() - started, findings)
    return verdict


def record_verdict(
    session: Session,
    community: CommunitySettings,
    message: MemberMessage,
    member: Member,
    verdict: Verdict,
    now: datetime,
) -> CheckOutcome:
    outcome = CheckOutcome(verdict)
    plain = parse_slack_text(message.text).plain
    for finding in verdict.findings:
        detection = _record_detection(session, community, message, member, finding, plain, now)
        if detection is None:
            continue  # this message was already handled for this policy (an edit, a retry)
        if finding.response in NUDGING:
            planned = _decide_nudge(session, community, message, member, detection, now, outcome)
            if planned is not None:
                outcome.nudges.append(planned)
        if finding.response in FLAGGING:
            opening = open_or_join_case(
                session,
                member,
                now,
                source="detection",
                channel_id=message.channel_id,
                message_ts=message.ts,
                policy=finding.policy,
            )
            detection.case_id = opening.case.id
            if opening.case.id not in outcome.cases:
                outcome.cases.append(opening.case.id)
    return outcome


def _record_detection(
    session: Session,
    community: CommunitySettings,
    message: MemberMessage,
    member: Member,
    finding: Finding,
    plain: str,
    now: datetime,
) -> Detection | None:
    evidence = finding.evidence
    detection = Detection(
        member_id=member.id,
        channel_id=message.channel_id,
        message_ts=message.ts,
        thread_ts=message.thread_ts if message.in_thread else None,
        policy=finding.policy,
        score=finding.score,
        response=finding.response,
        mode=community.mode,
        evidence_start=evidence.start if evidence else None,
        evidence_end=evidence.end if evidence else None,
        clause=finding.clause,
        excerpt=excerpt(plain, EXCERPT_LIMIT),
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(detection)
    except IntegrityError:
        return None
    return detection


def is_exempt(community: CommunitySettings, policy: PolicyId, user_id: str) -> bool:
    return user_id in community.nudges.exempt_user_ids.get(policy, frozenset())


def recently_nudged(session: Session, member: Member, policy: PolicyId, since: datetime) -> bool:
    """Whether the member was nudged (or, in shadow mode, would have been) for this policy."""
    return (
        session.scalar(
            select(Nudge.id)
            .where(
                Nudge.member_id == member.id,
                Nudge.policy == policy,
                Nudge.status.in_((NudgeStatus.SENT, NudgeStatus.SHADOW)),
                Nudge.sent_at >= since,
            )
            .limit(1)
        )
        is not None
    )


def _decide_nudge(
    session: Session,
    community: CommunitySettings,
    message: MemberMessage,
    member: Member,
    detection: Detection,
    now: datetime,
    outcome: CheckOutcome,
) -> PlannedNudge | None:
    policy = detection.policy
    if is_exempt(community, policy, message.user_id):
        return None
    window = timedelta(hours=community.nudges.rate_limit_hours)
    if recently_nudged(session, member, policy, now - window):
        status = NudgeStatus.SUPPRESSED
    elif community.mode == Mode.SHADOW:
        status = NudgeStatus.SHADOW
    else:
        status = NudgeStatus.SENT
    nudge = Nudge(
        detection_id=detection.id, member_id=member.id, policy=policy, status=status, sent_at=now
    )
    session.add(nudge)
    session.flush()
    if status != NudgeStatus.SENT:
        outcome.held_nudges.append((policy, status))
        return None
    return PlannedNudge(
        nudge_id=nudge.id,
        detection_id=detection.id,
        policy=policy,
        clause=detection.clause,
        user_id=message.user_id,
        channel_id=message.channel_id,
        thread_ts=message.thread_ts if message.in_thread else None,
    )
