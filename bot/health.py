"""Liveness and readiness of one process: what `/healthz` and `/readyz` answer.

Readiness is four checks, each a short human-readable string in the JSON body:

- ``database``   the process's own pool answers ``SELECT 1`` within a short timeout;
- ``schema``     the database is at the newest Alembic revision this code ships with;
- ``classifier`` the encoder and heads are loaded (warmed in the background at start-up,
                 so the first message does not pay for it);
- ``slack``      ``auth.test`` succeeded once at start-up (the token and `SLACK_API_URL` work).

A process that is shutting down is not ready either, so a load balancer stops sending it work.
The state is plain data plus one injected database probe, so tests drive it without a server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text

#: How long a readiness probe waits for the database before calling it unreachable.
DATABASE_TIMEOUT_SECONDS = 2.0

CLASSIFIER_LOADED = "loaded"
CLASSIFIER_LOADING = "loading"
SCHEMA_AT_HEAD = "at head"
SLACK_OK = "auth.test ok"
SLACK_PENDING = "auth.test not answered yet"

#: Returns the database's Alembic revision (None: never migrated); raises when unreachable.
DatabaseProbe = Callable[[], "str | None"]


def database_probe(engine: Engine) -> DatabaseProbe:
    """``SELECT 1`` and the Alembic revision, on a connection from the process's own pool."""
    from alembic.runtime.migration import MigrationContext

    def probe() -> str | None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            revision: str | None = MigrationContext.configure(connection).get_current_revision()
            return revision

    return probe


@dataclass(frozen=True)
class Readiness:
    ready: bool
    checks: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {"status": "ready" if self.ready else "not_ready", "checks": dict(self.checks)}


class Health:
    """What one process knows about its own health. Thread-safe; cheap to ask."""

    def __init__(
        self,
        probe: DatabaseProbe,
        head_revision: str,
        *,
        known_revisions: Collection[str] = (),
        database_timeout: float = DATABASE_TIMEOUT_SECONDS,
    ) -> None:
        self._probe = probe
        self._head = head_revision
        self._known = frozenset(known_revisions)
        self._timeout = database_timeout
        self._classifier_loaded = threading.Event()
        self._classifier_error: str | None = None
        self._slack: tuple[bool, str] | None = None
        self._shutting_down = threading.Event()
        # A hung database must not hang the probe too: the query runs here, the answer is
        # awaited for `database_timeout` at most.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")

    # ------------------------------------------------------------------ what the runtime reports

    def classifier_loaded(self) -> None:
        self._classifier_loaded.set()

    def classifier_failed(self, error: str) -> None:
        self._classifier_error = error

    def auth_test(self, ok: bool, detail: str = "") -> None:
        """The result of the one `auth.test` at start-up."""
        self._slack = (ok, SLACK_OK if ok else f"auth.test failed: {detail or 'unknown error'}")

    def shutting_down(self) -> None:
        self._shutting_down.set()

    @property
    def is_shutting_down(self) -> bool:
        return self._shutting_down.is_set()

    # ------------------------------------------------------------------ what the probes ask

    def readiness(self) -> Readiness:
        database, schema = self._database_checks()
        if self._classifier_loaded.is_set():
            classifier = CLASSIFIER_LOADED
        elif self._classifier_error is not None:
            classifier = f"failed to load: {self._classifier_error}"
        else:
            classifier = CLASSIFIER_LOADING
        slack = SLACK_PENDING if self._slack is None else self._slack[1]
        checks = {"database": database, "schema": schema, "classifier": classifier, "slack": slack}
        ready = (
            database == "ok"
            # "ahead": a newer release has migrated the database during a rolling upgrade.
            # Migrations are additive, so the older replicas keep serving until replaced
            # (otherwise a rollout would leave no replica ready). "behind" is not ready.
            and (schema == SCHEMA_AT_HEAD or schema.startswith("ahead"))
            and classifier == CLASSIFIER_LOADED
            and self._slack is not None
            and self._slack[0]
        )
        if self.is_shutting_down:
            checks["process"] = "shutting down"
            ready = False
        return Readiness(ready=bool(ready), checks=checks)

    def _database_checks(self) -> tuple[str, str]:
        try:
            revision = self._pool.submit(self._probe).result(timeout=self._timeout)
        except FutureTimeout:
            return f"no answer within {self._timeout:g} s", "unknown (database unreachable)"
        except Exception as exc:  # any failure means "not reachable", named
            return f"unreachable ({type(exc).__name__})", "unknown (database unreachable)"
        if revision == self._head:
            return "ok", SCHEMA_AT_HEAD
        if revision is not None and self._known and revision not in self._known:
            # A newer release migrated the database: this code does not know that revision.
            return "ok", f"ahead (at {revision}, this code's head is {self._head})"
        return "ok", f"behind (at {revision or 'base'}, head is {self._head})"

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
