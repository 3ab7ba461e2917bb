"""Wiring for a real process: settings in, a ready Bolt app (and what it stands on) out.

The runtime also owns the process's lifecycle: warming up in the background (the classifier,
one `auth.test`) so `/readyz` can tell when the process is ready, and shutting down in order
(acknowledged events finished, scheduler stopped with its running jobs, the pool closed).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.app import AppServices, build_app
from bot.clock import SystemClock
from bot.enforcement import build_backend
from bot.health import Health, database_probe
from bot.observability import Metrics
from bot.scheduler import build_scheduler, rebuild_ban_timers
from bot.services.channels import ChannelDirectory
from bot.services.moderators import ModeratorDirectory
from bot.settings import Settings
from bot.slack_client import build_web_client
from models import make_engine, make_session_factory
from moderation.classifier import LazyClassifier
from moderation.engine import Engine as ModerationEngine

log = logging.getLogger(__name__)

#: Threads that run Bolt listeners after the acknowledgement (Bolt's own default is 5).
LISTENER_THREADS = 8
#: However little time is left, the scheduler gets this long to finish a running job.
MIN_SCHEDULER_GRACE_SECONDS = 1.0
#: `auth.test` at start-up, when Slack does not answer: first retry, and the longest wait.
AUTH_TEST_FIRST_RETRY_SECONDS = 5.0
AUTH_TEST_MAX_RETRY_SECONDS = 60.0


class ListenerExecutor(ThreadPoolExecutor):
    """Bolt's `listener_executor`, owned by the runtime: Bolt acknowledges an event, then
    runs its listener here, so on shutdown this is the work that must be waited for."""

    def __init__(self, max_workers: int = LISTENER_THREADS) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def drain(self, timeout: float) -> int:
        """Wait up to `timeout` seconds until no listener work is queued or running (work that
        submits more work is waited for too). Returns how many are still unfinished."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = set(self._pending)
            remaining = deadline - time.monotonic()
            if not pending or remaining <= 0:
                return len(pending)
            wait(pending, timeout=remaining, return_when=FIRST_COMPLETED)


@dataclass(frozen=True)
class Runtime:
    app: App
    services: AppServices
    engine: Engine
    scheduler: BackgroundScheduler
    health: Health
    listener_executor: ListenerExecutor
    classifier: LazyClassifier
    _stopped: threading.Event = field(default_factory=threading.Event, repr=False)

    def start_background_jobs(self) -> None:
        """Start the scheduler and the warm-up, in the process that serves (after any fork),
        and stop them when that process exits."""
        self.scheduler.start()
        rebuild_ban_timers(self.services)
        atexit.register(self.stop_background_jobs)
        threading.Thread(target=self._check_slack, name="auth-test", daemon=True).start()
        threading.Thread(target=self._warm_classifier, name="warm-up", daemon=True).start()

    def stop_background_jobs(self) -> None:
        """At interpreter exit, when `shutdown` did not run: stop the scheduler's timers."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def shutdown(self, timeout: float) -> None:
        """Graceful stop, once all new requests are refused: finish acknowledged events (for
        `timeout` seconds at most), then stop the scheduler (letting a running job finish),
        then close the database pool. Idempotent."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.health.shutting_down()
        deadline = time.monotonic() + timeout
        pending = self.listener_executor.pending
        if pending:
            log.info("shutting down: waiting for %d acknowledged event(s) in progress", pending)
        unfinished = self.listener_executor.drain(timeout)
        if unfinished:
            log.warning(
                "shutdown bound reached with %d acknowledged event(s) still being handled; "
                "they are cut off (Slack will not redeliver them)",
                unfinished,
            )
        self.listener_executor.shutdown(wait=False, cancel_futures=True)
        self._stop_scheduler(max(deadline - time.monotonic(), MIN_SCHEDULER_GRACE_SECONDS))
        self.engine.dispose()
        self.health.close()
        log.info("shut down cleanly" if not unfinished else "shut down")

    def _stop_scheduler(self, timeout: float) -> None:
        if not self.scheduler.running:
            return
        # shutdown(wait=True) waits for running jobs without a bound: wait in a thread.
        stopper = threading.Thread(
            target=self.scheduler.shutdown, kwargs={"wait": True}, daemon=True
        )
        stopper.start()
        stopper.join(timeout)
        if stopper.is_alive():
            log.warning(
                "a scheduled job was still running after %.0f s; a lift it started is taken "
                "over by another process's sweep once its lease ends",
                timeout,
            )

    def _check_slack(self) -> None:
        """`auth.test` at start-up: the token works against the Web API base URL in use.

        Slack's refusal (a bad token) is final until a restart. Slack not answering is tried
        again, backing off, so a network blip at start-up does not leave the process unready.
        """
        base_url = self.services.client.base_url
        delay = AUTH_TEST_FIRST_RETRY_SECONDS
        while not self._stopped.is_set():
            try:
                answer = self.services.client.auth_test()
            except SlackApiError as exc:
                error = str(exc.response.get("error") or exc.response.status_code)
                log.error("auth.test refused at %s: %s", base_url, error)
                self.health.auth_test(False, error)
                return
            except Exception as exc:  # reported in /readyz and tried again, never fatal
                log.warning(
                    "auth.test failed at %s (%s); trying again in %.0f s",
                    base_url,
                    type(exc).__name__,
                    delay,
                )
                self.health.auth_test(False, f"{type(exc).__name__}, retrying")
                self._stopped.wait(delay)
                delay = min(delay * 2, AUTH_TEST_MAX_RETRY_SECONDS)
                continue
            log.info(
                "auth.test ok at %s: team %s, bot user %s",
                base_url,
                answer.get("team_id"),
                answer.get("user_id"),
            )
            self.health.auth_test(True)
            return

    def _warm_classifier(self) -> None:
        started = time.monotonic()
        try:
            self.classifier.get()
        except Exception as exc:
            log.exception("the classifier failed to load")
            self.health.classifier_failed(type(exc).__name__)
            return
        log.info("classifier loaded in %.1f s", time.monotonic() - started)
        self.health.classifier_loaded()


def build_runtime(settings: Settings) -> Runtime:
    from alembic.script import ScriptDirectory

    from migrations.runner import alembic_config

    engine = make_engine(settings.database_url)
    metrics = Metrics()
    client = build_web_client(settings.slack.bot_token, settings.slack.api_url, metrics=metrics)
    # One ONNX Runtime thread per inference: the server runs several listener threads at once,
    # and the intra-op threads of concurrent inferences only spin against each other.
    classifier = LazyClassifier(threads=1)
    services = AppServices(
        client=client,
        session_factory=make_session_factory(engine),
        engine=ModerationEngine(settings.community.engine_config(), classifier),
        directory=ChannelDirectory(client),
        moderators=ModeratorDirectory(client, settings.community.moderators),
        clock=SystemClock(),
        metrics=metrics,
    )
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = scripts.get_current_head()
    health = Health(
        database_probe(engine),
        head or "",
        known_revisions=[script.revision for script in scripts.walk_revisions()],
    )
    executor = ListenerExecutor()
    backend = build_backend(settings, client, services.session_factory)
    return Runtime(
        # Bolt's own eager auth.test would make a Slack outage at start-up fatal; the runtime
        # makes that call in the background instead and reports it in /readyz.
        app=build_app(
            settings,
            services,
            backend=backend,
            listener_executor=executor,
            token_verification_enabled=False,
        ),
        services=services,
        engine=engine,
        scheduler=build_scheduler(settings, services, backend),
        health=health,
        listener_executor=executor,
        classifier=classifier,
    )
