"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from importlib.util import find_spec

import pytest
from sqlalchemy import Engine, inspect, text

from migrations import runner
from models import Base, make_engine
from models.audit import PG_FUNCTION_NAME, SQLITE_TRIGGER_NAMES

APP_TABLES = {table.name for table in Base.metadata.sorted_tables}


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return runner.schema_differences(connection)
    finally:
        engine.dispose()


def _table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _audit_trigger_objects(engine: Engine) -> set[str]:
    """Names of the append-only trigger machinery present in the database."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = connection.execute(
                text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                    " AND tgrelid::regclass::text = 'audit_events'"
                    " UNION ALL SELECT proname FROM pg_proc"
                    " WHERE pronamespace = current_schema()::regnamespace"
                )
            )
        else:
            rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
        return {row[0] for row in rows}


def test_upgrade_downgrade_upgrade_matches_models(empty_db_url: str) -> None:
    assert runner.current_revision(empty_db_url) is None

    runner.upgrade(empty_db_url, "head")
    assert _table_names(empty_db_url) == APP_TABLES | {"alembic_version"}
    assert _differences(empty_db_url) == []
    assert runner.current_revision(empty_db_url) == runner.head_revision()

    runner.downgrade(empty_db_url, "base")
    assert _table_names(empty_db_url) == {"alembic_version"}
    assert runner.current_revision(empty_db_url) is None
    engine = make_engine(empty_db_url)
    try:
        assert _audit_trigger_objects(engine) == set(), "downgrade left trigger objects behind"
    finally:
        engine.dispose()

    runner.upgrade(empty_db_url, "head")
    assert _differences(empty_db_url) == []
    assert runner.current_revision(empty_db_url) == runner.head_revision() == "0004"


@pytest.mark.parametrize("target", ["0001", "0002", "0003"])
def test_downgrading_to_an_earlier_revision_and_back_matches_the_models(
    empty_db_url: str, target: str
) -> None:
    runner.upgrade(empty_db_url, "head")
    runner.downgrade(empty_db_url, target)
    assert runner.current_revision(empty_db_url) == target
    runner.upgrade(empty_db_url, "head")
    assert _differences(empty_db_url) == []


def test_migration_and_create_all_both_install_the_audit_triggers(
    empty_db_url: str, db_backend: str
) -> None:
    expected = (
        {"audit_events_append_only", PG_FUNCTION_NAME}
        if db_backend == "postgresql"
        else set(SQLITE_TRIGGER_NAMES)
    )
    runner.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        assert _audit_trigger_objects(engine) == expected
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
        Base.metadata.drop_all(engine)
        assert _audit_trigger_objects(engine) == set()
        Base.metadata.create_all(engine)
        assert _audit_trigger_objects(engine) == expected
    finally:
        engine.dispose()


def test_partial_unique_index_is_reflected_and_compared(empty_db_url: str) -> None:
    """Alembic compares the one-open-appeal index by name, columns and uniqueness
    (not by its WHERE clause): prove it is there as such, and that dropping it
    from the models would be reported, so the clean comparison above means something."""
    runner.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        indexes = {ix["name"]: ix for ix in inspect(engine).get_indexes("appeals")}
        partial = indexes["uq_appeals_action_id_open"]
        assert partial["unique"] and partial["column_names"] == ["action_id"]
        where = partial.get("dialect_options", {}).get(f"{engine.dialect.name}_where")
        assert "open" in str(where)

        table = Base.metadata.tables["appeals"]
        index = next(ix for ix in table.indexes if ix.name == "uq_appeals_action_id_open")
        table.indexes.discard(index)
        try:
            with engine.connect() as connection:
                diffs = runner.schema_differences(connection)
        finally:
            table.indexes.add(index)
        assert [(d[0], d[1].name) for d in diffs] == [("remove_index", "uq_appeals_action_id_open")]
    finally:
        engine.dispose()


def test_head_revision_is_the_single_shipped_head() -> None:
    assert runner.head_revision() == "0004"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///conduct.db", "sqlite:///conduct.db"),
    ],
)
def test_alembic_config_normalises_the_url(given: str, expected: str) -> None:
    config = runner.alembic_config(given)
    assert config.get_main_option("sqlalchemy.url") == expected
    assert config.get_main_option("script_location") == str(runner.MIGRATIONS_DIR)


def test_alembic_config_keeps_percent_signs_in_the_url() -> None:
    url = "postgresql+psycopg://u:p%40ss@h/d?options=-csearch_path%3Dx"
    config = runner.alembic_config(url)
    assert config.get_main_option("sqlalchemy.url") == url


def test_migration_trigger_sql_matches_the_models_ddl() -> None:
    """create_all (models/audit.py) and the migration must install the same triggers."""
    import importlib.util

    from models import audit

    path = runner.MIGRATIONS_DIR / "versions" / "0001_initial.py"
    spec = importlib.util.spec_from_file_location("migration_0001", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.PG_FUNCTION == audit.PG_CREATE_FUNCTION
    assert module.PG_TRIGGER == audit.PG_CREATE_TRIGGER
    assert module.SQLITE_TRIGGERS == audit.SQLITE_CREATE_TRIGGERS


def test_migrations_run_on_a_connection_handed_over_by_the_caller(empty_db_url: str) -> None:
    from alembic import command

    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            command.upgrade(runner.alembic_config(empty_db_url, connection=connection), "head")
            assert "audit_events" in inspect(connection).get_table_names()
            connection.commit()  # the caller owns the connection (a no-op if Alembic committed)
        assert runner.current_revision(empty_db_url) == runner.head_revision()
        assert _differences(empty_db_url) == []
    finally:
        engine.dispose()


@pytest.mark.skipif(
    find_spec(runner.CHECK_CONSTRAINT_PLUGIN) is None, reason="Alembic without CHECK comparison"
)
def test_check_constraints_are_compared_by_name(empty_db_url: str) -> None:
    """A CHECK in the models that no migration created would be reported."""
    runner.upgrade(empty_db_url)
    table = Base.metadata.tables["enforcement_actions"]
    check = next(
        c for c in table.constraints if c.name == "ck_enforcement_actions_temporary_ban_expires"
    )
    engine = make_engine(empty_db_url)
    try:
        table.constraints.discard(check)
        try:
            with engine.connect() as connection:
                diffs = runner.schema_differences(connection)
        finally:
            table.constraints.add(check)
    finally:
        engine.dispose()
    assert [(d[0], d[1].name) for d in diffs] == [
        ("remove_constraint", "ck_enforcement_actions_temporary_ban_expires")
    ]


def test_downgrade_keeps_the_rows_of_other_tables(empty_db_url: str) -> None:
    runner.upgrade(empty_db_url, "head")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO members (id, slack_user_id, team_id, real_name, is_bot,"
                    " is_deleted, first_seen_at, updated_at)"
                    " VALUES (1, 'U1', 'T1', 'A', false, false, :t, :t)"
                ),
                {"t": "2026-11-02 09:00:00+00:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO detections (id, member_id, channel_id, message_ts, policy, score,"
                    " response, mode, clause, created_at)"
                    " VALUES (1, 1, 'C1', '1.1', 'harassment', 0.9, 'nudge', 'enforce', 'c', :t)"
                ),
                {"t": "2026-11-02 09:00:00+00:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO nudges (id, detection_id, member_id, policy, status, sent_at)"
                    " VALUES (1, 1, 1, 'harassment', 'sent', :t)"
                ),
                {"t": "2026-11-02 09:00:00+00:00"},
            )
        runner.downgrade(empty_db_url, "0001")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM nudges")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM detections")).scalar() == 1
    finally:
        engine.dispose()
