"""Listener for `app_home_opened` (shared/slack-notes.md §14), and the Home tab's button."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.ids import ActionId
from bot.services.home import publish_home
from bot.settings import Settings
from bot.views.report_form import ReportPrefill, report_form_view

if TYPE_CHECKING:
    from bot.services.context import AppServices

log = logging.getLogger(__name__)


def register(app: App, settings: Settings, services: AppServices) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any]) -> None:
        # Sent on every visit, for the Messages tab too; only the Home tab is ours to draw.
        user_id = event.get("user")
        if event.get("tab") != "home" or not isinstance(user_id, str):
            return
        publish_home(
            services.session_factory,
            services.client,
            settings.community,
            user_id,
            services.clock.now(),
            report_button=True,
            moderator=services.moderators.is_moderator(user_id),
        )

    @app.action(ActionId.HOME_REPORT)
    def on_home_report(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=report_form_view(ReportPrefill()))
