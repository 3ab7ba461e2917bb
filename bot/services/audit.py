"""Writing the append-only audit log: every decision and refusal leaves a row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import AuditEvent


def record(
    session: Session,
    action: str,
    now: datetime,
    *,
    actor: str | None = None,
    case_id: int | None = None,
    subject: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an AuditEvent to the session (committed with the change it describes).

    `action` is a dotted verb ("case.opened", "report.filed"); `actor` and `subject` are Slack
    user ids (None: the bot itself). `details` must hold ids and codes only, never message
    text or names: the log is read by people who are not moderators (auditors, leadership).
    """
    event = AuditEvent(
        occurred_at=now,
        action=action,
        actor_slack_id=actor,
        case_id=case_id,
        subject_slack_id=subject,
        details=details,
    )
    session.add(event)
    return event
