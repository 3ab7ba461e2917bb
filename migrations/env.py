"""Alembic environment for conduct.

The URL comes from ``sqlalchemy.url`` (set by migrations/runner.py) or, for
plain ``alembic`` commands, the DATABASE_URL environment variable. When the
caller puts a connection in ``config.attributes["connection"]`` (tests do),
migrations run on it instead of opening a new one.
"""

from __future__ import annotations

import logging.config
import os
from typing import Any

from alembic import context
from sqlalchemy import Connection

from migrations.runner import context_options
from models import Base, make_engine, normalize_database_url

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError(
            "no database URL: set sqlalchemy.url on the Alembic config or DATABASE_URL"
        )
    return normalize_database_url(url).render_as_string(hide_password=False)


def run_migrations_offline() -> None:
    """``alembic upgrade --sql``: print the SQL instead of running it."""
    url = normalize_database_url(_database_url())
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **context_options(url.get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    options: dict[str, Any] = context_options(connection.dialect.name)
    if connection.dialect.name != "sqlite":
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
        return

    # SQLite. Two things the driver does not do for us:
    # - Batch migrations copy a table, drop the old one and rename the copy.
    #   With foreign keys ON, dropping a referenced table would cascade or
    #   fail, so they are switched off for the run (the PRAGMA only takes
    #   effect outside a transaction) and checked before committing.
    # - The sqlite3 driver does not BEGIN before DDL, so each statement would
    #   commit on its own; an explicit BEGIN makes the whole upgrade atomic.
    # When the caller already holds a transaction, both are left to them.
    raw: Any = connection.connection.driver_connection  # the sqlite3.Connection
    assert raw is not None
    own_transaction = not connection.in_transaction() and not raw.in_transaction
    if own_transaction:
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(connection=connection, transactional_ddl=True, **options)
        with context.begin_transaction():
            if not raw.in_transaction:
                raw.execute("BEGIN")
            context.run_migrations()
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left rows violating foreign keys: {broken[:10]}")
    finally:
        if own_transaction and not raw.in_transaction:
            raw.execute("PRAGMA foreign_keys=ON")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection:
            _run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
