"""Opening cases for moderators: from a member's report or from a detection that flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.services.audit import record
from models import Case, CaseStatus, Member, PolicyId

OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.TRIAGED)


@dataclass(frozen=True)
class CaseOpening:
    case: Case
    created: bool


def find_open_case(
    session: Session, subject: Member, channel_id: str, message_ts: str
) -> Case | None:
    return session.scalar(
        select(Case).where(
            Case.subject_id == subject.id,
            Case.channel_id == channel_id,
            Case.message_ts == message_ts,
            Case.status.in_(OPEN_STATUSES),
        )
    )


def open_or_join_case(
    session: Session,
    subject: Member,
    now: datetime,
    *,
    source: str,
    channel_id: str | None = None,
    message_ts: str | None = None,
    policy: PolicyId | None = None,
    actor: str | None = None,
) -> CaseOpening:
    """The open case about `subject` and this message, created when there is none.

    Without a message (a report about someone's conduct in general) every call opens a new
    case. The partial unique index on open cases per message settles a race between two
    threads or replicas: the loser joins the winner's case.
    """
    if channel_id and message_ts:
        existing = find_open_case(session, subject, channel_id, message_ts)
        if existing is not None:
            return CaseOpening(existing, created=False)
    case = Case(
        subject_id=subject.id,
        channel_id=channel_id,
        message_ts=message_ts,
        policy=policy,
        status=CaseStatus.OPEN,
        opened_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(case)
    except IntegrityError:
        if not (channel_id and message_ts):
            raise
        existing = find_open_case(session, subject, channel_id, message_ts)
        if existing is None:
            raise
        return CaseOpening(existing, created=False)
    record(
        session,
        "case.opened",
        now,
        actor=actor,
        case_id=case.id,
        subject=subject.slack_user_id,
        source=source,
        policy=policy.value if policy else None,
    )
    return CaseOpening(case, created=True)
