"""Timestamps are timezone-aware UTC going in and coming out, on every backend."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from models import Case, Member, ProcessedEvent, UTCDateTime

PARIS_SUMMER = dt.timezone(dt.timedelta(hours=2), "CEST")


def test_naive_datetime_is_refused_when_assigned() -> None:
    member = Member(slack_user_id="U1", team_id="T1")
    naive = dt.datetime(2025, 3, 1, 12, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive datetime"):
        member.name_checked_at = naive
    with pytest.raises(ValueError, match="naive datetime"):
        Case(subject_id=1, opened_at=naive)


def test_naive_datetime_is_refused_when_written_without_the_orm(db_session: Session) -> None:
    naive = dt.datetime(2025, 3, 1, 12, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(StatementError, match="naive datetime") as raised:
        db_session.execute(
            insert(ProcessedEvent).values(event_id="Ev1", kind="message", received_at=naive)
        )
    assert isinstance(raised.value.orig, ValueError)


def test_type_decorator_refuses_naive_and_converts_aware_to_utc() -> None:
    column_type = UTCDateTime()
    dialect = sqlite.dialect()
    naive = dt.datetime(2025, 1, 1)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive datetime"):
        column_type.process_bind_param(naive, dialect)
    aware = dt.datetime(2025, 7, 1, 14, 30, tzinfo=PARIS_SUMMER)
    stored = column_type.process_bind_param(aware, dialect)
    assert stored == aware and stored is not None and stored.tzinfo is dt.UTC
    assert stored.hour == 12
    assert column_type.process_result_value(naive, dialect) == naive.replace(tzinfo=dt.UTC)


def test_timestamps_read_back_timezone_aware_in_utc(db_session: Session) -> None:
    written = dt.datetime(2025, 7, 1, 14, 30, 15, 123456, tzinfo=PARIS_SUMMER)
    member = Member(slack_user_id="U1", team_id="T1", name_checked_at=written)
    db_session.add(member)
    db_session.flush()
    db_session.expunge_all()

    loaded = db_session.scalars(select(Member)).one()
    assert loaded.name_checked_at == written
    assert loaded.name_checked_at is not None
    assert loaded.name_checked_at.tzinfo is dt.UTC
    assert loaded.name_checked_at.hour == 12
    assert loaded.first_seen_at.tzinfo is dt.UTC  # filled by the default

    # a Core select of the column goes through the same type
    core_value = db_session.execute(select(Member.name_checked_at)).scalar_one()
    assert core_value is not None and core_value.tzinfo is dt.UTC


def test_utc_is_what_is_stored_whatever_zone_was_given(
    db_session: Session, db_backend: str
) -> None:
    db_session.add(
        ProcessedEvent(
            event_id="Ev1",
            kind="message",
            received_at=dt.datetime(2025, 7, 1, 14, 30, tzinfo=PARIS_SUMMER),
        )
    )
    db_session.flush()
    if db_backend == "sqlite":
        raw = db_session.execute(text("SELECT received_at FROM processed_events")).scalar_one()
        assert raw.startswith("2025-07-01 12:30:00")
    else:
        raw = db_session.execute(
            text("SELECT received_at AT TIME ZONE 'UTC' FROM processed_events")
        ).scalar_one()
        assert raw == dt.datetime(2025, 7, 1, 12, 30)  # noqa: DTZ001 - naive UTC from SQL


def test_time_range_queries_order_instants_not_wall_clocks(db_session: Session) -> None:
    """12:30 in Paris is earlier than 11:00 UTC+0; filters must see instants."""
    db_session.add_all(
        [
            ProcessedEvent(
                event_id="paris",
                kind="m",
                received_at=dt.datetime(2025, 7, 1, 12, 30, tzinfo=PARIS_SUMMER),  # 10:30Z
            ),
            ProcessedEvent(
                event_id="utc",
                kind="m",
                received_at=dt.datetime(2025, 7, 1, 11, 0, tzinfo=dt.UTC),
            ),
        ]
    )
    db_session.flush()
    cutoff = dt.datetime(2025, 7, 1, 12, 45, tzinfo=PARIS_SUMMER)  # 10:45Z
    later = db_session.scalars(
        select(ProcessedEvent.event_id).where(ProcessedEvent.received_at > cutoff)
    ).all()
    assert later == ["utc"]
    ordered = db_session.scalars(
        select(ProcessedEvent.event_id).order_by(ProcessedEvent.received_at)
    ).all()
    assert ordered == ["paris", "utc"]
