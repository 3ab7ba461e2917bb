"""Database fixtures, as a pytest plugin (``pytest_plugins = ["tests.db_fixtures"]``).

Every test that asks for a database fixture runs twice: on SQLite and on
PostgreSQL (``db_backend`` is parametrized). Fixtures, from low to high level:

- ``db_backend``      "sqlite" | "postgresql"
- ``db_url``          SQLite: a file in tmp_path. PostgreSQL: CONDUCT_TEST_PG_URL
                      (default postgresql+psycopg://postgres@127.0.0.1:5432/test)
                      with search_path set to a schema private to this test session.
- ``empty_db_url``    a brand-new, empty database (file / schema) for this test only.
- ``migrated_engine`` an Engine on db_url with all migrations applied. Data is
                      cleaned after the test (SQLite: a fresh file per test;
                      PostgreSQL: every table emptied, id sequences restarted).
- ``session_factory`` sessionmaker on migrated_engine; real commits (threads, the
                      Bolt app); whatever the test committed is cleaned after it.
- ``db_session``      one Session inside an outer transaction that is rolled back
                      after the test; ``session.commit()`` only releases a SAVEPOINT.

When no PostgreSQL server answers, PostgreSQL variants are skipped - unless the
environment variable CI is "true", then they fail with the same reason.
CONDUCT_TEST_BACKENDS=sqlite (or =postgresql) runs one backend only.
Tests marked ``@pytest.mark.postgres`` run on PostgreSQL only.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, close_all_sessions, sessionmaker

from migrations.runner import upgrade
from models import Base, make_engine, make_session_factory, normalize_database_url
from models.audit import PG_TRIGGER_NAME

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ALL_BACKENDS = ("sqlite", "postgresql")
#: How long test clean-up waits for a lock before failing instead of hanging
#: (a test that leaked an open transaction would otherwise block it forever).
CLEANUP_LOCK_TIMEOUT = "10s"


def _selected_backends() -> list[str]:
    wanted = os.environ.get("CONDUCT_TEST_BACKENDS", "")
    chosen = [b.strip() for b in wanted.split(",") if b.strip()] or list(ALL_BACKENDS)
    unknown = set(chosen) - set(ALL_BACKENDS)
    if unknown:
        raise pytest.UsageError(f"CONDUCT_TEST_BACKENDS: unknown backend(s) {sorted(unknown)}")
    return chosen


def pg_base_url() -> URL:
    """The PostgreSQL server tests use (without a search_path)."""
    return normalize_database_url(os.environ.get("CONDUCT_TEST_PG_URL", DEFAULT_PG_URL))


def pg_url_for_schema(schema: str) -> str:
    """``pg_base_url()`` with ``search_path`` set to ``schema`` on every connection."""
    base = pg_base_url()
    options = base.query.get("options")
    existing = options if isinstance(options, str) else " ".join(options or ())
    combined = f"{existing} -csearch_path={schema}".strip()
    return base.update_query_dict({"options": combined}).render_as_string(hide_password=False)


def _admin_engine() -> Engine:
    return make_engine(
        pg_base_url(), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )


def _create_schema(prefix: str) -> str:
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()
    return schema


def _drop_schema(schema: str) -> None:
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            connection.execute(text(f"SET lock_timeout = '{CLEANUP_LOCK_TIMEOUT}'"))
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


# --- PostgreSQL, once per test session ----------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> str:
    """Checks once that PostgreSQL answers; returns its URL (password hidden)."""
    url = pg_base_url()
    shown = url.render_as_string(hide_password=True)
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        detail = " ".join(str(exc.orig).split())
        reason = f"PostgreSQL not reachable at {shown} ({type(exc.orig).__name__}: {detail})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    finally:
        engine.dispose()
    return shown


@pytest.fixture(scope="session")
def pg_session_url(pg_server: str) -> Iterator[str]:
    """A schema private to this test session (dropped at the end), as a URL."""
    schema = _create_schema("conduct_test")
    try:
        yield pg_url_for_schema(schema)
    finally:
        close_all_sessions()
        _drop_schema(schema)


@pytest.fixture(scope="session")
def pg_migrated_engine(pg_session_url: str) -> Iterator[Engine]:
    upgrade(pg_session_url)
    engine = make_engine(pg_session_url)
    try:
        yield engine
    finally:
        engine.dispose()


# --- SQLite, once per test session: a migrated template copied per test -------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "migrated.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            # fold the WAL into the main file so copying that one file is enough
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return path


# --- per test -----------------------------------------------------------------


@pytest.fixture(params=_selected_backends())
def db_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    if backend == "sqlite" and request.node.get_closest_marker("postgres") is not None:
        pytest.skip("PostgreSQL-only test")
    return backend


@pytest.fixture
def db_url(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if db_backend == "sqlite":
        return f"sqlite:///{tmp_path / 'conduct.db'}"
    url: str = request.getfixturevalue("pg_session_url")
    return url


@pytest.fixture
def empty_db_url(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database nobody else uses and nothing has touched (not even migrations)."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    request.getfixturevalue("pg_server")
    schema = _create_schema("conduct_empty")
    try:
        yield pg_url_for_schema(schema)
    finally:
        _drop_schema(schema)


def _clean_postgresql(engine: Engine) -> None:
    """Empty every table and restart every id sequence (rolled-back inserts
    consume ids too, so this runs after every test).

    DELETE rather than TRUNCATE: on this kind of disk TRUNCATE of the whole
    schema costs ~0.45 s (new files for every table and index), DELETE of a
    test's few rows ~6 ms. The append-only trigger is switched off for the
    clean-up transaction only (the table owner may; no superuser needed).
    """
    with engine.begin() as connection:
        connection.execute(text(f"SET LOCAL lock_timeout = '{CLEANUP_LOCK_TIMEOUT}'"))
        connection.execute(text(f"ALTER TABLE audit_events DISABLE TRIGGER {PG_TRIGGER_NAME}"))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        connection.execute(text(f"ALTER TABLE audit_events ENABLE TRIGGER {PG_TRIGGER_NAME}"))
        connection.execute(
            text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c"
                " WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace"
            )
        )


@pytest.fixture
def migrated_engine(
    db_backend: str, db_url: str, request: pytest.FixtureRequest
) -> Iterator[Engine]:
    if db_backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, normalize_database_url(db_url).database or "")
        engine = make_engine(db_url)
        try:
            yield engine
        finally:
            close_all_sessions()
            engine.dispose()
        return

    engine = request.getfixturevalue("pg_migrated_engine")
    try:
        yield engine
    finally:
        close_all_sessions()
        _clean_postgresql(engine)


@pytest.fixture
def session_factory(migrated_engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(migrated_engine)


@pytest.fixture
def db_session(migrated_engine: Engine) -> Iterator[Session]:
    with migrated_engine.connect() as connection:
        outer = connection.begin()
        session = Session(
            bind=connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
        )
        try:
            yield session
        finally:
            session.close()
            if outer.is_active:
                outer.rollback()
