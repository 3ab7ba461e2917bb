"""Direct messages from the bot to one member (receipts, notices, the real-name note)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.services.audit import record

if TYPE_CHECKING:
    from bot.services.context import AppServices

log = logging.getLogger(__name__)


def send_direct_message(
    client: WebClient, user_id: str, text: str, blocks: Sequence[Block] | None = None
) -> str:
    """Post into the bot's DM with `user_id`; returns the message ts.

    `conversations.open` first: posting to a user id works on Slack today but is documented
    for the DM's `D…` id (shared/slack-notes.md §8). Raises SlackApiError; callers decide
    what a failed DM means for them.
    """
    opened = client.conversations_open(users=user_id)
    channel = opened["channel"]["id"]
    posted = client.chat_postMessage(
        channel=channel, text=text, blocks=list(blocks) if blocks else None
    )
    return str(posted["ts"])


def send_and_record(
    services: AppServices,
    user_id: str,
    text: str,
    blocks: Sequence[Block] | None = None,
    *,
    sent: str,
    failed: str,
    case_id: int | None,
    **details: Any,
) -> bool:
    """DM `user_id`, then audit the outcome (`sent`, or `failed` with Slack's error code):
    a message a member should have had is never lost silently. True when it was delivered."""
    try:
        send_direct_message(services.client, user_id, text, blocks)
        verb, error = sent, None
    except SlackApiError as exc:
        verb, error = failed, str(exc.response.get("error"))
        log.warning("direct message not delivered", extra={"case_id": case_id, "error": error})
    with services.session_factory.begin() as session:
        record(
            session,
            verb,
            services.clock.now(),
            case_id=case_id,
            subject=user_id,
            error=error,
            **details,
        )
    return error is None
