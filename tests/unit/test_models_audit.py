"""The audit log is append-only: the ORM refuses changes, and so does the
database when the ORM is bypassed."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import AppendOnlyViolation, AuditEvent


def add_event(session: Session, action: str = "case.opened") -> AuditEvent:
    event = AuditEvent(
        actor_slack_id="UMOD1",
        action=action,
        subject_slack_id="U100",
        details={"note": "first report", "policy": "harassment"},
    )
    session.add(event)
    session.flush()
    return event


def test_audit_events_can_be_appended_and_read(db_session: Session) -> None:
    add_event(db_session)
    add_event(db_session, "auth.refused")
    db_session.expunge_all()
    events = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["case.opened", "auth.refused"]
    assert events[0].details == {"note": "first report", "policy": "harassment"}
    assert events[0].occurred_at.tzinfo is not None


def test_orm_refuses_to_update_an_audit_event(db_session: Session) -> None:
    event = add_event(db_session)
    event.action = "case.dismissed"
    with pytest.raises(AppendOnlyViolation, match="append-only"):
        db_session.flush()


def test_orm_refuses_to_delete_an_audit_event(db_session: Session) -> None:
    event = add_event(db_session)
    db_session.delete(event)
    with pytest.raises(AppendOnlyViolation, match="append-only"):
        db_session.flush()


@pytest.mark.parametrize("verb", ["update", "delete"])
def test_orm_refuses_bulk_changes_to_audit_events(db_session: Session, verb: str) -> None:
    add_event(db_session)
    statement = update(AuditEvent).values(action="x") if verb == "update" else delete(AuditEvent)
    with pytest.raises(AppendOnlyViolation, match=f"bulk {verb}"):
        db_session.execute(statement)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_events SET action = 'case.dismissed'",
        "DELETE FROM audit_events",
    ],
)
def test_database_trigger_refuses_raw_sql_changes(db_session: Session, sql: str) -> None:
    add_event(db_session)
    with pytest.raises(IntegrityError, match="append-only"):
        db_session.execute(text(sql))
    db_session.rollback()


def test_trigger_holds_on_a_plain_connection_outside_any_session(migrated_engine: Engine) -> None:
    with migrated_engine.begin() as connection:
        connection.execute(insert(AuditEvent).values(action="case.opened", details={}))
    with pytest.raises(IntegrityError, match="append-only"), migrated_engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor_slack_id = 'UEVIL'"))
    with migrated_engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
        actor = connection.execute(text("SELECT actor_slack_id FROM audit_events")).scalar_one()
    assert (count, actor) == (1, None)


@pytest.mark.postgres
def test_truncate_still_empties_the_audit_log_for_test_cleanup(db_session: Session) -> None:
    add_event(db_session)
    db_session.execute(text("TRUNCATE audit_events RESTART IDENTITY"))
    assert db_session.scalar(select(AuditEvent.id)) is None
