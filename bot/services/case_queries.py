"""Read-only views of cases and the audit log, for the CLI and the moderators' App Home."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import AuditEvent, Case, CaseStatus, EnforcementAction, Report


@dataclass(frozen=True)
class CaseRow:
    id: int
    status: CaseStatus
    policy: str
    subject_user_id: str
    assignee_user_id: str | None
    opened_at: datetime
    reports: int
    detections: int


def list_cases(
    session: Session, statuses: Sequence[CaseStatus] | None = None, limit: int = 200
) -> list[CaseRow]:
    """Oldest first: the case waiting longest is the one to pick up."""
    query = (
        select(Case)
        .options(
            selectinload(Case.subject),
            selectinload(Case.assignee),
            selectinload(Case.reports),
            selectinload(Case.detections),
        )
        .order_by(Case.opened_at, Case.id)
        .limit(limit)
    )
    if statuses:
        query = query.where(Case.status.in_(statuses))
    return [
        CaseRow(
            id=c.id,
            status=c.status,
            policy=c.policy.value if c.policy else "report",
            subject_user_id=c.subject.slack_user_id,
            assignee_user_id=c.assignee.slack_user_id if c.assignee else None,
            opened_at=c.opened_at,
            reports=len(c.reports),
            detections=len(c.detections),
        )
        for c in session.scalars(query)
    ]


def case_details(session: Session, case_id: int) -> Case | None:
    return session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(
            selectinload(Case.subject),
            selectinload(Case.assignee),
            selectinload(Case.detections),
            selectinload(Case.notes),
            selectinload(Case.reports).selectinload(Report.reporter),
            selectinload(Case.reports).selectinload(Report.subjects),
            selectinload(Case.actions).selectinload(EnforcementAction.decided_by),
            selectinload(Case.actions).selectinload(EnforcementAction.appeals),
        )
    )


def case_audit_trail(session: Session, case_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)
        )
    )


def audit_events(
    session: Session, since: datetime | None = None, until: datetime | None = None
) -> Iterator[AuditEvent]:
    """Streamed in id order, so a year of log never sits in memory at once."""
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    yield from session.scalars(query)


AUDIT_COLUMNS = ("id", "occurred_at", "action", "actor", "case_id", "subject", "details")


def audit_csv_lines(events: Iterator[AuditEvent]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_COLUMNS)
    for event in events:
        writer.writerow(
            (
                event.id,
                event.occurred_at.isoformat(),
                event.action,
                event.actor_slack_id or "",
                event.case_id or "",
                event.subject_slack_id or "",
                json.dumps(event.details, sort_keys=True),
            )
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    rest = buffer.getvalue()
    if rest:
        yield rest
