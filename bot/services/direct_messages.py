"""Direct messages from the bot to one member (receipts, notices, the real-name note)."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block


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
