"""Listener for `member_joined_channel`: a member banned by channel removal who joins a
channel again is taken out again.

Shape: shared/slack-notes.md §2 (`user`, `channel`, `channel_type`, `team`, `inviter?`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import App

from bot.enforcement import EnforcementBackend
from bot.services.banned_messages import remove_if_banned
from bot.services.case_cards import redraw_case_card
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services.context import AppServices

log = logging.getLogger(__name__)


def register(
    app: App,
    settings: Settings,
    services: AppServices,
    backend: EnforcementBackend | None = None,
) -> None:
    @app.event("member_joined_channel")
    def on_member_joined(event: dict[str, Any], body: dict[str, Any]) -> None:
        user_id, channel_id = event.get("user"), event.get("channel")
        if backend is None or not isinstance(user_id, str) or not isinstance(channel_id, str):
            return
        rejoin = remove_if_banned(services, backend, user_id, channel_id, services.clock.now())
        if rejoin is None:
            return
        log.info(
            "banned member joined a channel",
            extra={"event_id": body.get("event_id"), "case_id": rejoin.case_id},
        )
        if not rejoin.removed:  # the card lists it as a step to do by hand
            redraw_case_card(services, settings.community.channels.moderators, rejoin.case_id)
