"""The app's one error handler: typed errors become a friendly message, others a log line."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse, Respond

from bot.errors import ConductError
from bot.views.notices import refusal_view

log = logging.getLogger(__name__)


def register(app: App) -> None:
    @app.error
    def on_error(
        error: Exception,
        body: dict[str, Any],
        respond: Respond | None,
        response: BoltResponse | None,
    ) -> BoltResponse | None:
        event_id = body.get("event_id")
        kind = body.get("type")
        if isinstance(error, ConductError):
            log.warning(
                "request refused: %s",
                type(error).__name__,
                extra={"event_id": event_id, "kind": kind},
            )
            if kind == "view_submission":
                # The form is replaced by the explanation; nothing was stored.
                return BoltResponse(
                    status=200,
                    body={"response_action": "update", "view": refusal_view(error.user_message)},
                )
            if respond is not None and kind == "block_actions":
                # Slack ignores the body of a button's acknowledgement; the message's
                # response_url reaches the person who clicked, privately.
                respond(text=error.user_message, response_type="ephemeral", replace_original=False)
                # Bolt only lets an error handler answer a request not yet acknowledged:
                # listeners that can refuse acknowledge after their service call.
                return BoltResponse(status=200, body="") if response is not None else None
            return BoltResponse(
                status=200, body={"response_type": "ephemeral", "text": error.user_message}
            )
        # No payload content in the log: it may hold message text or names.
        log.error(
            "listener failed: %s",
            type(error).__name__,
            exc_info=error,
            extra={"event_id": event_id, "kind": kind},
        )
        return None
