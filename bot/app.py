"""The Bolt app factory. Everything the listeners need is passed in: no module-level state,
so tests (and each server worker) build as many independent apps as they like."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltResponse

from bot.enforcement import EnforcementBackend, build_backend
from bot.listeners import (
    appeals,
    cases,
    channels,
    errors,
    home,
    members,
    messages,
    nudges,
    reports,
)
from bot.observability import event_outcome, instrument_app, propagating_executor
from bot.services.context import AppServices
from bot.services.events import claim_event
from bot.settings import Settings

__all__ = ["AppServices", "build_app"]

log = logging.getLogger(__name__)


def build_app(
    settings: Settings,
    services: AppServices,
    *,
    token_verification_enabled: bool = True,
    listener_executor: Executor | None = None,
    backend: EnforcementBackend | None = None,
) -> App:
    """`backend`: the enforcement backend (default: the one the settings choose, built here;
    the runtime passes the one its scheduler also uses)."""
    if backend is None:
        backend = build_backend(settings, services.client, services.session_factory)
    app = App(
        name="conduct",
        client=services.client,
        signing_secret=settings.slack.signing_secret or "",
        token_verification_enabled=token_verification_enabled,
        listener_executor=propagating_executor(listener_executor),
        logger=logging.getLogger("conduct.bolt"),
    )
    instrument_app(app, services)  # first: binds the log context the others' lines carry
    app.use(_deduplicate_deliveries(services))
    messages.register(app, settings, services, backend)
    nudges.register(app, settings, services)
    reports.register(app, settings, services)
    members.register(app, settings, services)
    channels.register(app, settings, services, backend)
    home.register(app, settings, services)
    cases.register(app, settings, services, backend)
    appeals.register(app, settings, services, backend)
    errors.register(app)
    return app


def _deduplicate_deliveries(services: AppServices) -> Callable[..., BoltResponse | None]:
    """Global middleware: a re-delivered event (same `event_id`) is acknowledged and dropped."""

    def deduplicate(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse | None:
        event_id = body.get("event_id")
        if body.get("type") != "event_callback" or not isinstance(event_id, str):
            return next()
        kind = str((body.get("event") or {}).get("type", "unknown"))
        if claim_event(services.session_factory, event_id, kind, services.clock.now()):
            services.metrics.event(kind, event_outcome(body.get("event") or {}))
            return next()
        services.metrics.event(kind, "duplicate")
        log.info("dropped duplicate delivery", extra={"event_id": event_id, "kind": kind})
        return BoltResponse(status=200, body="")

    return deduplicate
