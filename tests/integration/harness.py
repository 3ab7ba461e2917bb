"""A running conduct app for integration tests: the real Bolt app behind the real WSGI
handler on a local port, a real WebClient pointed at the Slack stand-in, a real database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from sqlalchemy.orm import Session, sessionmaker

from bot.app import AppServices, build_app
from bot.clock import ManualClock
from bot.enforcement import build_backend
from bot.observability import Metrics
from bot.scheduler import build_scheduler
from bot.services.channels import ChannelDirectory
from bot.services.moderators import ModeratorDirectory
from bot.settings import (
    ChannelSettings,
    CommunitySettings,
    ModeratorSettings,
    Settings,
    SlackSettings,
)
from bot.slack_client import build_web_client
from bot.transport import SLACK_PATH, ConductWSGI
from moderation.classifier import LazyClassifier
from moderation.engine import Engine
from tests.slack_standin import SlackDelivery, SlackStandIn


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, with a way to wait until every submitted listener is done:
    events are acked before their work runs, so tests wait on the work, not the response."""

    def __init__(self) -> None:
        super().__init__(max_workers=5, thread_name_prefix="listener")
        self._futures: list[Future[Any]] = []
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._futures.append(future)
        return future

    def drain(self, timeout: float = 10.0) -> None:
        with self._lock:
            pending = list(self._futures)
            self._futures.clear()
        for future in pending:
            future.result(timeout=timeout)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class RunningBot:
    app: App
    services: AppServices
    settings: Settings
    standin: SlackStandIn
    delivery: SlackDelivery
    clock: ManualClock
    url: str
    executor: TrackingExecutor

    def drain(self) -> None:
        """Wait until all listener work started by earlier deliveries has finished."""
        self.executor.drain()


def bot_settings(
    standin: SlackStandIn,
    signing_secret: str,
    community: CommunitySettings,
    admin_user_token: str | None = None,
) -> Settings:
    return Settings(
        slack=SlackSettings(
            bot_token=standin.bot_token,
            signing_secret=signing_secret,
            app_token=None,
            api_url=standin.api_url,
            admin_user_token=admin_user_token,
            scim_url=standin.scim_url,
        ),
        community=community,
    )


@pytest.fixture
def community() -> CommunitySettings:
    return CommunitySettings(
        channels=ChannelSettings(moderators="moderators"),
        moderators=ModeratorSettings(usergroup="moderators"),
    )


@pytest.fixture
def admin_user_token() -> str | None:
    """SLACK_ADMIN_USER_TOKEN for the running bot; override with the stand-in's `admin_token`
    to test what needs an admin."""
    return None


@pytest.fixture(scope="session")
def shared_classifier() -> LazyClassifier:
    """The real encoder and heads, loaded once per test run (on first use) and shared."""
    return LazyClassifier()


@pytest.fixture
def bot_clock() -> ManualClock:
    """The app's clock; tests of real timers override this with a SystemClock."""
    return ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def running_bot(
    slack_standin: SlackStandIn,
    signing_secret: str,
    session_factory: sessionmaker[Session],
    community: CommunitySettings,
    shared_classifier: LazyClassifier,
    bot_clock: ManualClock,
    admin_user_token: str | None,
) -> Iterator[RunningBot]:
    settings = bot_settings(slack_standin, signing_secret, community, admin_user_token)
    clock = bot_clock
    # Retries wait Retry-After seconds; the stand-in's faults use 0-1 s so tests stay quick.
    metrics = Metrics()
    client = build_web_client(
        settings.slack.bot_token, settings.slack.api_url, timeout=5, metrics=metrics
    )
    services = AppServices(
        client=client,
        session_factory=session_factory,
        engine=Engine(community.engine_config(), shared_classifier),
        directory=ChannelDirectory(client),
        moderators=ModeratorDirectory(client, community.moderators),
        clock=clock,
        metrics=metrics,
    )
    executor = TrackingExecutor()
    backend = build_backend(settings, client, session_factory)
    app = build_app(settings, services, listener_executor=executor, backend=backend)
    # The process's scheduler as `conduct run` builds it, started paused: timers are set and
    # visible, but nothing fires on the wall clock unless a test resumes it.
    scheduler = build_scheduler(settings, services, backend)
    scheduler.start(paused=True)
    server = make_server(
        "127.0.0.1", 0, ConductWSGI(app, metrics=metrics), _ThreadingWSGIServer, _QuietHandler
    )
    # shutdown() waits for the loop's next poll: at the default 0.5 s that was most of an
    # integration test's time.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}{SLACK_PATH}"
    delivery = SlackDelivery(url, signing_secret, standin=slack_standin)
    try:
        yield RunningBot(app, services, settings, slack_standin, delivery, clock, url, executor)
    finally:
        server.shutdown()
        server.server_close()
        executor.shutdown(wait=True)
        if scheduler.running:
            scheduler.shutdown(wait=False)
