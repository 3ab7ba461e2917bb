"""/report, the "Report message" shortcut, the report form's submission, and the button that
reopens the form when it could not be opened in time.

Slack's trigger_id is good for 3 seconds (shared/slack-notes.md §7): the command and the
shortcut acknowledge, then open the form at once; no database work comes before views.open.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext

from bot.ids import ActionId, CallbackId, Command
from bot.services.reports import (
    SLACKBOT_ID,
    announce_report,
    file_report,
    open_report_form,
    parse_command_text,
    prefill_from_shortcut,
    quick_permalink,
    read_submission,
    validate_submission,
)
from bot.settings import Settings
from bot.views.report_form import decode_button_value, report_sent_view
from models import ReportSource

if TYPE_CHECKING:
    from bot.services.context import AppServices

log = logging.getLogger(__name__)


def register(app: App, settings: Settings, services: AppServices) -> None:
    @app.command(Command.REPORT)
    def on_report_command(ack: Ack, command: dict[str, Any]) -> None:
        ack()
        open_report_form(
            services.client,
            command["trigger_id"],
            command["user_id"],
            parse_command_text(command.get("text") or ""),
        )

    @app.message_shortcut(CallbackId.REPORT_MESSAGE)
    def on_report_message(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        message = body.get("message") or {}
        permalink = quick_permalink(
            services.client,
            (body.get("channel") or {}).get("id"),
            message.get("ts") or body.get("message_ts"),
        )
        open_report_form(
            services.client,
            body["trigger_id"],
            body["user"]["id"],
            prefill_from_shortcut(body, permalink),
        )

    @app.action(ActionId.REPORT_REOPEN)
    def on_reopen(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        prefill = decode_button_value(body["actions"][0].get("value"), ReportSource.DM_FALLBACK)
        open_report_form(services.client, body["trigger_id"], body["user"]["id"], prefill)

    @app.view_submission(CallbackId.REPORT_FORM)
    def on_report_submitted(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        reporter_id = body["user"]["id"]
        submission = read_submission(body["view"])
        unreportable = {SLACKBOT_ID} | ({context.bot_user_id} if context.bot_user_id else set())
        errors = validate_submission(submission, reporter_id, unreportable)
        if errors:
            log.info("report form returned with errors", extra={"blocks": sorted(errors)})
            ack(response_action="errors", errors=errors)
            return
        # Stored before the form says "sent": a failure here leaves the form open with
        # Slack's own error, so the reporter knows to try again and nothing is lost silently.
        with services.session_factory.begin() as session:
            filed = file_report(
                session,
                services.client,
                reporter_id=reporter_id,
                submission=submission,
                now=services.clock.now(),
            )
        ack(response_action="update", view=report_sent_view())
        log.info(
            "report filed",
            extra={
                "report_id": filed.report_id,
                "case_id": filed.case_id,
                "case_created": filed.case_created,
                "source": submission.metadata.source.value,
            },
        )
        services.metrics.reports.labels(submission.metadata.source.value).inc()
        announce_report(services, settings.community.channels.moderators, filed)
