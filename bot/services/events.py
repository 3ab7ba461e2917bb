"""Exactly-once handling of Slack deliveries, anchored in a unique database row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import ProcessedEvent


def claim_event(
    session_factory: sessionmaker[Session], event_id: str, kind: str, now: datetime
) -> bool:
    """Record that `event_id` is being handled. False when it was already claimed.

    Slack re-delivers an event with the same `event_id` when it thinks a delivery failed; the
    primary key makes the second insert fail on every replica, so memory is never trusted.
    """
    with session_factory() as session:
        session.add(ProcessedEvent(event_id=event_id, kind=kind, received_at=now))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    return True
