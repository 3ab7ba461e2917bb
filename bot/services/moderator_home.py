"""What the moderators' part of the Home tab shows, read from the database.

Read-only; every query takes the session and `now` (the injected clock's time), so a test
can place "now" anywhere. Each list fetches only the rows the tab can show, plus a count.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from bot.enforcement.base import outstanding_failures
from bot.views.moderator_home import (
    MAX_BANS,
    MAX_DETECTIONS,
    MAX_FAILED_STEPS,
    MAX_OPEN_CASES,
    BanRow,
    DetectionRow,
    FailedStepRow,
    ModeratorHome,
    OpenCaseRow,
    PolicyRate,
)
from models import (
    ActionLevel,
    ActionStatus,
    Case,
    CaseStatus,
    Detection,
    EnforcementAction,
    Member,
    Nudge,
    NudgeStatus,
    PolicyId,
)

OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.TRIAGED)
BAN_LEVELS = (ActionLevel.TEMPORARY_BAN, ActionLevel.PERMANENT_BAN)
DETECTION_DAYS = 7
RATE_DAYS = 30
#: Failed steps of actions that have ended stay listed this long (those of active actions
#: stay while the action lasts: the member is still meant to be banned, say).
FAILED_STEP_DAYS = 30


def open_cases(session: Session, limit: int = MAX_OPEN_CASES) -> tuple[list[OpenCaseRow], int]:
    """Open and triaged cases, oldest first (the one waiting longest comes first)."""
    subject = aliased(Member)
    assignee = aliased(Member)
    rows = session.execute(
        select(
            Case.id,
            Case.status,
            Case.policy,
            Case.opened_at,
            Case.card_channel_id,
            subject.slack_user_id.label("subject"),
            assignee.slack_user_id.label("assignee"),
        )
        .join(subject, Case.subject_id == subject.id)
        .outerjoin(assignee, Case.assignee_id == assignee.id)
        .where(Case.status.in_(OPEN_STATUSES))
        .order_by(Case.opened_at, Case.id)
        .limit(limit)
    ).all()
    total = session.scalar(select(func.count(Case.id)).where(Case.status.in_(OPEN_STATUSES))) or 0
    return [
        OpenCaseRow(
            case_id=r.id,
            status=r.status,
            policy=r.policy,
            subject_user_id=r.subject,
            opened_at=r.opened_at,
            assignee_user_id=r.assignee,
            card_channel_id=r.card_channel_id,
        )
        for r in rows
    ], total


def active_bans(session: Session, now: datetime, limit: int = MAX_BANS) -> tuple[list[BanRow], int]:
    """Bans in force: temporary ones ending soonest first, then permanent ones. A ban whose
    end has passed but the sweep has not lifted yet is over, as on the member's own tab."""
    conditions = (
        EnforcementAction.status == ActionStatus.ACTIVE,
        EnforcementAction.level.in_(BAN_LEVELS),
        or_(EnforcementAction.expires_at.is_(None), EnforcementAction.expires_at > now),
    )
    rows = session.execute(
        select(
            EnforcementAction.case_id,
            EnforcementAction.level,
            EnforcementAction.starts_at,
            EnforcementAction.expires_at,
            Member.slack_user_id,
        )
        .join(Member, EnforcementAction.member_id == Member.id)
        .where(*conditions)
        .order_by(
            EnforcementAction.expires_at.is_(None),
            EnforcementAction.expires_at,
            EnforcementAction.starts_at,
            EnforcementAction.id,
        )
        .limit(limit)
    ).all()
    total = session.scalar(select(func.count(EnforcementAction.id)).where(*conditions)) or 0
    return [
        BanRow(
            case_id=r.case_id,
            member_user_id=r.slack_user_id,
            level=r.level,
            starts_at=r.starts_at,
            expires_at=r.expires_at,
        )
        for r in rows
    ], total


def recent_detections(
    session: Session, now: datetime, days: int = DETECTION_DAYS, limit: int = MAX_DETECTIONS
) -> tuple[list[DetectionRow], int]:
    """Detections of the last `days` days, newest first. No excerpt: the tab shows no
    message text."""
    conditions = (Detection.created_at >= now - timedelta(days=days), Detection.created_at <= now)
    rows = session.execute(
        select(
            Detection.id,
            Detection.created_at,
            Detection.policy,
            Detection.score,
            Detection.response,
            Detection.mode,
            Detection.case_id,
            Detection.false_positive_at,
            Member.slack_user_id,
        )
        .join(Member, Detection.member_id == Member.id)
        .where(*conditions)
        .order_by(Detection.created_at.desc(), Detection.id.desc())
        .limit(limit)
    ).all()
    total = session.scalar(select(func.count(Detection.id)).where(*conditions)) or 0
    return [
        DetectionRow(
            detection_id=r.id,
            created_at=r.created_at,
            policy=r.policy,
            member_user_id=r.slack_user_id,
            score=r.score,
            response=r.response,
            disputed=r.false_positive_at is not None,
            case_id=r.case_id,
            mode=r.mode,
        )
        for r in rows
    ], total


def dispute_rates(session: Session, now: datetime, days: int = RATE_DAYS) -> list[PolicyRate]:
    """Per policy (every policy, in a stable order): nudges sent to members in the last
    `days` days, and how many of those the member disputed ("This isn't …")."""
    disputed = func.count(Detection.false_positive_at)  # COUNT(col) skips NULLs
    rows = session.execute(
        select(Nudge.policy, func.count(Nudge.id), disputed)
        .join(Detection, Nudge.detection_id == Detection.id)
        .where(
            Nudge.status == NudgeStatus.SENT,
            Nudge.sent_at >= now - timedelta(days=days),
            Nudge.sent_at <= now,
        )
        .group_by(Nudge.policy)
    ).all()
    counts: dict[PolicyId, tuple[int, int]] = {row[0]: (row[1], row[2]) for row in rows}
    return [
        PolicyRate(policy=p, nudges=counts.get(p, (0, 0))[0], disputed=counts.get(p, (0, 0))[1])
        for p in PolicyId
    ]


def _step_time(step: Mapping[str, Any]) -> datetime | None:
    at = step.get("at")
    if not isinstance(at, str):
        return None
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def failed_steps(
    session: Session, now: datetime, days: int = FAILED_STEP_DAYS, limit: int = MAX_FAILED_STEPS
) -> tuple[list[FailedStepRow], int]:
    """Steps a backend reported as failed (`ok` false), newest first: every one on an action
    still in force, and those of the last `days` days on actions that have ended (a failed
    lift: a membership not restored, say). A step that succeeded on a later attempt is not
    listed. Steps live in a JSON list, so they are filtered
    here rather than in SQL; only active or recent actions are read."""
    since = now - timedelta(days=days)
    actions = session.execute(
        select(
            EnforcementAction.case_id,
            EnforcementAction.level,
            EnforcementAction.status,
            EnforcementAction.decided_at,
            EnforcementAction.enforcement_steps,
            Member.slack_user_id,
        )
        .join(Member, EnforcementAction.member_id == Member.id)
        .where(
            or_(
                EnforcementAction.status == ActionStatus.ACTIVE,
                EnforcementAction.decided_at >= since,
                EnforcementAction.lifted_at >= since,
            )
        )
    ).all()
    found: list[tuple[datetime, FailedStepRow]] = []
    for action in actions:
        steps = [s for s in action.enforcement_steps or () if isinstance(s, dict)]
        for step in outstanding_failures(steps):
            name = step.get("step")
            at = _step_time(step)
            if action.status is not ActionStatus.ACTIVE and at is not None and at < since:
                continue
            detail = step.get("detail")
            row = FailedStepRow(
                case_id=action.case_id,
                member_user_id=action.slack_user_id,
                level=action.level,
                step=str(name or ""),
                at=at,
                detail=str(detail) if detail else None,
            )
            found.append((at or action.decided_at, row))
    found.sort(key=lambda item: item[0], reverse=True)
    return [row for _, row in found[:limit]], len(found)


def load_moderator_home(session: Session, now: datetime) -> ModeratorHome:
    cases, cases_total = open_cases(session)
    bans, bans_total = active_bans(session, now)
    detections, detections_total = recent_detections(session, now)
    failed, failed_total = failed_steps(session, now)
    return ModeratorHome(
        now=now,
        open_cases=tuple(cases),
        open_cases_total=cases_total,
        bans=tuple(bans),
        bans_total=bans_total,
        detections=tuple(detections),
        detections_total=detections_total,
        detection_days=DETECTION_DAYS,
        rates=tuple(dispute_rates(session, now)),
        rate_days=RATE_DAYS,
        failed_steps=tuple(failed),
        failed_steps_total=failed_total,
    )
