"""The app's one error handler: typed errors become a friendly message, others a log line."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse

from bot.errors import ConductError

log = logging.getLogger(__name__)


def register(app: App) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        event_id = body.get("event_id")
        kind = body.get("type")
        if isinstance(error, ConductError):
            log.warning(
                "request refused: %s",
                type(error).__name__,
                extra={"event_id": event_id, "kind": kind},
            )
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
