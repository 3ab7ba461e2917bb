"""Listener for `message` events: parse, hand to a service, nothing more."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import App

from bot.events import is_member_message, member_message
from bot.services.members import ensure_member
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import AppServices

log = logging.getLogger(__name__)


def register(app: App, settings: Settings, services: AppServices) -> None:
    def member_content(event: dict[str, Any]) -> bool:
        return is_member_message(event)

    # Events are acknowledged by Bolt before this runs (auto-ack, then a worker thread), so
    # the work below never holds up Slack's 3-second window.
    @app.event("message", matchers=[member_content])
    def on_member_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        message = member_message(event)
        if message is None:  # the matcher already checked; keeps the type checker honest
            return
        with services.session_factory.begin() as session:
            ensure_member(session, services.client, message.user_id, services.clock.now())
        log.debug("member message handled", extra={"event_id": body.get("event_id")})

    @app.event("message")
    def on_other_message(body: dict[str, Any]) -> None:
        """Joins, topic changes, deletions and bot posts carry no member content: ack only."""
        log.debug("ignored message subtype", extra={"event_id": body.get("event_id")})
