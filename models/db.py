"""Declarative base, column types, engine and session helpers.

Everything that touches the database goes through :func:`make_engine` and
:func:`make_session_factory`, so SQLite and PostgreSQL behave the same way
where it matters (foreign keys enforced, timestamps tz-aware UTC, savepoints
really nested).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    DateTime,
    Dialect,
    Engine,
    MetaData,
    create_engine,
    event,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.orm import DeclarativeBase, Mapper, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool
from sqlalchemy.types import TypeDecorator

#: Constraint and index names are derived, never left to the database, so
#: autogenerate and hand-written migrations agree on them on every backend.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Seconds a SQLite connection waits for another writer before "database is locked".
SQLITE_BUSY_TIMEOUT_S = 15.0


def utcnow() -> dt.datetime:
    """Default for "row created" timestamps. Services pass their injectable clock's
    time explicitly; this only fills in what they leave out."""
    return dt.datetime.now(dt.UTC)


def _require_aware(value: dt.datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"naive datetime {value.isoformat()} refused for {what}: timestamps must be "
            "timezone-aware (use datetime.now(UTC) or the injected clock)"
        )


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    Writing a naive datetime raises ``ValueError`` (wrapped in SQLAlchemy's
    ``StatementError`` when it happens inside a statement). Reading returns an
    aware UTC datetime on every backend: PostgreSQL stores ``timestamptz``;
    SQLite has no time zones, so values are stored as UTC text and the zone
    is re-attached on read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"UTCDateTime expects a datetime, got {type(value).__name__}")
        _require_aware(value, "a UTCDateTime column")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # a bare ``Mapped[datetime]`` column is a UTCDateTime too
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime}


def _enum_values(enum_cls: type[StrEnum]) -> list[str]:
    return [member.value for member in enum_cls]


def str_enum(enum_cls: type[StrEnum], name: str, length: int = 32) -> SAEnum:
    """A StrEnum stored by value as VARCHAR(length) with a CHECK constraint.

    ``name`` names the CHECK constraint (``ck_<table>_<name>``); it must be
    unique within its table.
    """
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=length,
        values_callable=_enum_values,
    )


# --- naive datetimes are refused at assignment, not only at flush ------------


def _refuse_naive(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
    if isinstance(value, dt.datetime):
        _require_aware(value, f"{type(target).__name__}.{initiator.key}")
    return value


@event.listens_for(Base, "mapper_configured", propagate=True)
def _install_naive_datetime_guard(mapper: Mapper[Any], class_: type[Any]) -> None:
    for prop in mapper.column_attrs:
        if any(isinstance(col.type, UTCDateTime) for col in prop.columns):
            attr = getattr(class_, prop.key)
            if not event.contains(attr, "set", _refuse_naive):
                event.listen(attr, "set", _refuse_naive, retval=True)


# --- engine ------------------------------------------------------------------


def normalize_database_url(url: str | URL) -> URL:
    """``postgres://`` and ``postgresql://`` (as hosting platforms hand them out)
    become ``postgresql+psycopg://``; anything else is returned unchanged."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL: readers never block the writer nor the writer the readers,
            # which is what a multi-threaded Bolt app plus a scheduler needs.
            # (A no-op answering "memory" for in-memory databases.)
            cursor.execute("PRAGMA journal_mode=WAL")
        finally:
            cursor.close()

    # The sqlite3 driver (legacy transaction control, Python < 3.16) only emits
    # BEGIN before INSERT/UPDATE/DELETE. Reads outside a write therefore see the
    # latest committed data (like PostgreSQL's READ COMMITTED) and writers queue
    # on the busy timeout instead of failing. But a SAVEPOINT issued before any
    # write would *start* the transaction on its own, and releasing it would
    # commit for good - so begin a real transaction first.
    @event.listens_for(engine, "savepoint")
    def _begin_before_savepoint(conn: Connection, name: str) -> None:
        raw = conn.connection.driver_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN")


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create the engine for ``url`` (see :func:`normalize_database_url`).

    SQLite: foreign keys enforced, WAL, usable from several threads (an
    in-memory database is one connection shared by all threads).
    PostgreSQL: connections are pinged before use (``pool_pre_ping``).
    Extra keyword arguments go to :func:`sqlalchemy.create_engine`.
    """
    parsed = normalize_database_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        connect_args: dict[str, Any] = {
            "check_same_thread": False,
            "timeout": SQLITE_BUSY_TIMEOUT_S,
        }
        if sys.version_info >= (3, 12):
            # keep the transaction behaviour described in _configure_sqlite even
            # when a future Python changes the sqlite3 default (planned for 3.16)
            connect_args["autocommit"] = sqlite3.LEGACY_TRANSACTION_CONTROL
        connect_args.update(kwargs.pop("connect_args", {}))
        if parsed.database in (None, "", ":memory:"):
            # one in-memory database shared by all threads, not one per thread
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (``expire_on_commit=False``),
    so services can hand them to views after the transaction ends."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
