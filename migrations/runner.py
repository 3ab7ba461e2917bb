"""Run the Alembic migrations from code (``conduct db upgrade``, tests).

The Alembic environment ships inside the package, so this works from an
installed wheel as well as from a checkout.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from models import Base, UTCDateTime, make_engine, normalize_database_url

MIGRATIONS_DIR = Path(__file__).resolve().parent
ALEMBIC_INI = MIGRATIONS_DIR / "alembic.ini"


def _url_string(url: str) -> str:
    return normalize_database_url(url).render_as_string(hide_password=False)


def alembic_config(url: str, *, connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` for this package's migrations and ``url``.

    With ``connection``, migrations run on it (env.py picks it up from
    ``config.attributes``); if it is already inside a transaction, committing
    is the caller's job.
    """
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation: a literal "%" (URL-encoded query, password) must be doubled.
    config.set_main_option("sqlalchemy.url", _url_string(url).replace("%", "%%"))
    # Leave the host application's logging alone (no logging.config.fileConfig).
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Downgrade the database at ``url`` to ``revision`` (``"base"``: empty)."""
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at; None if never migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest revision shipped with this package."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


# --- options shared by env.py and schema_differences() ------------------------


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's autogenerate filter: everything is compared.

    Alembic compares a partial index (``uq_appeals_action_id_open``) by name,
    columns and uniqueness only, not by its WHERE clause (on both backends);
    that compares cleanly, so nothing needs excluding. Its predicate is
    proven by tests instead (tests/unit/test_models_constraints.py).
    """
    return True


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render our column types as plain SQLAlchemy types in new revisions, so a
    migration never imports application code that may change later."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


#: Alembic >= 1.20 can compare CHECK constraints by name (an opt-in plugin):
#: a CHECK added to or dropped from the models without a migration is then
#: reported. A change to a CHECK's text (a new enum value) is still not seen.
CHECK_CONSTRAINT_PLUGIN = "alembic.ext.checkconstraint_byname"
_HAS_CHECK_PLUGIN = find_spec(CHECK_CONSTRAINT_PLUGIN) is not None


def context_options(dialect_name: str) -> dict[str, Any]:
    """Keyword arguments for ``MigrationContext.configure`` / ``context.configure``."""
    options: dict[str, Any] = {
        "target_metadata": Base.metadata,
        "compare_type": True,
        "include_object": include_object,
        "render_item": render_item,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        "render_as_batch": dialect_name == "sqlite",
    }
    if _HAS_CHECK_PLUGIN:
        options["autogenerate_plugins"] = ["alembic.autogenerate.*", CHECK_CONSTRAINT_PLUGIN]
    return options


def schema_differences(connection: Connection) -> list[Any]:
    """What autogenerate would change to make the database match the models
    (empty when the migrations and the models agree)."""
    options = context_options(connection.dialect.name)
    context = MigrationContext.configure(connection, opts=options)
    diffs: list[Any] = compare_metadata(context, Base.metadata)
    return diffs


__all__ = [
    "ALEMBIC_INI",
    "CHECK_CONSTRAINT_PLUGIN",
    "MIGRATIONS_DIR",
    "alembic_config",
    "context_options",
    "current_revision",
    "downgrade",
    "head_revision",
    "include_object",
    "schema_differences",
    "upgrade",
]
