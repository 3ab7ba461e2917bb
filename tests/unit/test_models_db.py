"""Engine and session helpers: URL normalisation, SQLite set-up, transactions."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from models import AuditEvent, Member, make_engine, normalize_database_url, session_scope


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgres://u:p@db:5432/conduct", "postgresql+psycopg"),
        ("postgresql://u:p@db:5432/conduct", "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@db:5432/conduct", "postgresql+psycopg"),
        ("sqlite:///conduct.db", "sqlite"),
    ],
)
def test_database_urls_are_normalised_to_the_psycopg_driver(given: str, driver: str) -> None:
    url = normalize_database_url(given)
    assert url.drivername == driver
    assert url.database in ("conduct", "conduct.db")


def test_sqlite_engine_enforces_foreign_keys_and_works_across_threads(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        results: list[object] = []
        with engine.connect() as connection:
            results.append(connection.exec_driver_sql("PRAGMA foreign_keys").scalar())

        def from_another_thread() -> None:
            with engine.connect() as connection:
                results.append(connection.execute(text("SELECT 1")).scalar())

        worker = threading.Thread(target=from_another_thread)
        worker.start()
        worker.join()
        assert results == [1, 1]
    finally:
        engine.dispose()


def test_postgresql_engine_pings_pooled_connections() -> None:
    engine = make_engine("postgres://u@localhost/db")
    assert engine.pool._pre_ping
    assert engine.dialect.driver == "psycopg"


def test_session_scope_commits_on_success_and_rolls_back_on_error(
    session_factory: sessionmaker[Session],
) -> None:
    with session_scope(session_factory) as session:
        session.add(Member(slack_user_id="UKEEP", team_id="T1"))

    with pytest.raises(RuntimeError), session_scope(session_factory) as session:
        session.add(Member(slack_user_id="UDROP", team_id="T1"))
        session.flush()
        raise RuntimeError("boom")

    with session_factory() as session:
        ids = session.scalars(select(Member.slack_user_id)).all()
    assert ids == ["UKEEP"]


def test_objects_stay_readable_after_commit(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        member = Member(slack_user_id="U1", team_id="T1", real_name="Ada")
        session.add(member)
    assert member.real_name == "Ada"  # no expired-attribute reload after the session closed


def test_savepoint_rollback_is_nested_inside_the_outer_transaction(
    migrated_engine: Engine,
) -> None:
    """On SQLite too: a SAVEPOINT before any write must not become its own transaction."""
    with migrated_engine.connect() as connection:
        outer = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        session.add(Member(slack_user_id="U1", team_id="T1"))
        session.commit()  # releases the savepoint only
        with session.begin_nested() as nested:
            session.add(Member(slack_user_id="U2", team_id="T1"))
            session.flush()
            nested.rollback()
        assert session.scalars(select(Member.slack_user_id)).all() == ["U1"]
        session.close()
        outer.rollback()

    with migrated_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM members")).scalar_one() == 0


def test_in_memory_sqlite_is_one_database_shared_by_threads() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        seen: list[object] = []

        def read() -> None:
            with engine.connect() as connection:
                seen.append(connection.execute(text("SELECT x FROM t")).scalar())

        worker = threading.Thread(target=read)
        worker.start()
        worker.join()
        assert seen == [1]
    finally:
        engine.dispose()


@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_starts_with_empty_tables_and_ids_from_one(
    session_factory: sessionmaker[Session], run: str
) -> None:
    """Runs twice: whichever runs second proves the other's commits were cleaned up."""
    with session_factory() as session:
        assert session.scalars(select(Member)).all() == []
    with session_scope(session_factory) as session:
        member = Member(slack_user_id=f"U-{run}", team_id="T1")
        session.add(member)
        session.flush()
        assert member.id == 1
        session.add(AuditEvent(action="member.seen", details={}))
