"""The audit log: append-only, enforced by the ORM and by the database.

1. ORM: a ``before_flush`` listener on every :class:`~sqlalchemy.orm.Session`
   refuses to flush a changed or deleted :class:`AuditEvent`, and a
   ``do_orm_execute`` listener refuses ORM bulk UPDATE/DELETE on the table.
2. Database: a trigger raises on UPDATE and DELETE (PostgreSQL: a plpgsql
   function; SQLite: ``RAISE(ABORT, ...)``). The initial migration creates it,
   and the DDL events below create it for ``metadata.create_all`` too.

TRUNCATE (used to clean up between tests on PostgreSQL) fires no row trigger
and still works. Both backends report a violation as ``IntegrityError``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import DDL, JSON, ForeignKey, String, event
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    UOWTransaction,
    mapped_column,
    relationship,
)
from sqlalchemy.schema import ExecutableDDLElement

from models._columns import SLACK_ID_LEN
from models.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from collections.abc import Iterable

    from models.cases import Case

APPEND_ONLY_MESSAGE = "audit_events is append-only"

#: Names of the database objects, shared with the migration's tests.
PG_FUNCTION_NAME = "conduct_audit_events_append_only"
PG_TRIGGER_NAME = "audit_events_append_only"
SQLITE_TRIGGER_NAMES = ("audit_events_no_update", "audit_events_no_delete")

PG_CREATE_FUNCTION = f"""\
CREATE OR REPLACE FUNCTION {PG_FUNCTION_NAME}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$"""
PG_CREATE_TRIGGER = f"""\
CREATE TRIGGER {PG_TRIGGER_NAME}
BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION_NAME}()"""
PG_DROP_FUNCTION = f"DROP FUNCTION IF EXISTS {PG_FUNCTION_NAME}()"
SQLITE_CREATE_TRIGGERS = tuple(
    f"""\
CREATE TRIGGER {name}
BEFORE {op} ON audit_events
BEGIN
    SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}: {op} refused');
END"""
    for name, op in zip(SQLITE_TRIGGER_NAMES, ("UPDATE", "DELETE"), strict=True)
)


class AppendOnlyViolation(Exception):
    """Raised by the ORM guard when code tries to change or delete an AuditEvent."""


class AuditEvent(Base):
    """Who did what, when. ``actor_slack_id`` is None for the system itself.

    Slack ids rather than member foreign keys: the log must stay readable
    even for people we never stored as members.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_slack_id: Mapped[str | None] = mapped_column(String(SLACK_ID_LEN))
    #: dotted verb, e.g. "case.opened", "action.decided", "auth.refused"
    action: Mapped[str] = mapped_column(String(64))
    # RESTRICT, not SET NULL: nulling the column would be an UPDATE the
    # trigger refuses; a case with an audit trail is simply never deleted.
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="RESTRICT"), index=True
    )
    subject_slack_id: Mapped[str | None] = mapped_column(String(SLACK_ID_LEN), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    case: Mapped[Case | None] = relationship(lazy="raise")


def _ddl(statement: str, dialect: str) -> ExecutableDDLElement:
    # DDL() %-formats its text (for %(table)s etc.), so a literal % is doubled.
    # Its constructor is untyped in SQLAlchemy 2.1.
    ddl = DDL(statement.replace("%", "%%"))  # type: ignore[no-untyped-call]
    return ddl.execute_if(dialect=dialect)


_table = AuditEvent.__table__
event.listen(_table, "after_create", _ddl(PG_CREATE_FUNCTION, "postgresql"))
event.listen(_table, "after_create", _ddl(PG_CREATE_TRIGGER, "postgresql"))
event.listen(_table, "after_drop", _ddl(PG_DROP_FUNCTION, "postgresql"))
for _statement in SQLITE_CREATE_TRIGGERS:
    event.listen(_table, "after_create", _ddl(_statement, "sqlite"))


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(
    session: Session, flush_context: UOWTransaction, instances: Iterable[object] | None
) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AppendOnlyViolation(f"{APPEND_ONLY_MESSAGE}: delete refused (id={obj.id})")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AppendOnlyViolation(f"{APPEND_ONLY_MESSAGE}: update refused (id={obj.id})")


@event.listens_for(Session, "do_orm_execute")
def _refuse_audit_bulk_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEvent for mapper in state.all_mappers
    ):
        verb = "update" if state.is_update else "delete"
        raise AppendOnlyViolation(f"{APPEND_ONLY_MESSAGE}: bulk {verb} refused")
