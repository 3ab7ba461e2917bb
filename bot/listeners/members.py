"""Listeners for `team_join` and `user_change`: record the profile, run the real-name check.

Shapes: shared/slack-notes.md §3 (both carry the full user object under `user`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App

from bot.ids import ActionId
from bot.services.members import Profile, upsert_member
from bot.services.names import check_member_names
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services.context import AppServices

log = logging.getLogger(__name__)


def register(app: App, settings: Settings, services: AppServices) -> None:
    @app.event("team_join")
    def on_team_join(event: dict[str, Any], body: dict[str, Any]) -> None:
        handle_profile_event(services, settings, event, body.get("event_id"))

    @app.event("user_change")
    def on_user_change(event: dict[str, Any], body: dict[str, Any]) -> None:
        handle_profile_event(services, settings, event, body.get("event_id"))

    @app.action(ActionId.NAME_OPEN_PROFILE)
    def on_open_profile(ack: Ack) -> None:
        """A URL button still sends block_actions; Slack shows a warning unless it is acked."""
        ack()


def handle_profile_event(
    services: AppServices, settings: Settings, event: Mapping[str, Any], event_id: str | None
) -> None:
    user = event.get("user")
    if not isinstance(user, Mapping) or not user.get("id"):
        log.debug("profile event without a user object", extra={"event_id": event_id})
        return
    profile = Profile.from_user_object(user)
    now = services.clock.now()
    if not settings.community.onboarding.enabled:
        with services.session_factory.begin() as session:
            upsert_member(session, profile, now)
        return
    result = check_member_names(services, settings.community, profile, now)
    log.debug(
        "profile checked",
        extra={
            "event_id": event_id,
            "user_id": profile.user_id,
            "status": result.status,
            "skipped": result.skipped,
            "sent": result.sent,
        },
    )
