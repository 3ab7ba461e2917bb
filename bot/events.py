"""Reading Slack `message` events: which ones carry a member's own words, and what they say.

Shapes: https://docs.slack.dev/reference/events/message and its subtype pages; the subtype
table is summarised in shared/slack-notes.md §2.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SLACKBOT_USER_ID = "USLACKBOT"

# Subtypes whose text is new content written by a member. Everything else (joins, topic
# changes, deletions, bot posts, pins, reminders...) is housekeeping and is ignored.
MEMBER_CONTENT_SUBTYPES = frozenset({"thread_broadcast", "file_share", "me_message"})
EDIT_SUBTYPE = "message_changed"


@dataclass(frozen=True)
class MemberMessage:
    """A member's new or edited message, as the moderation pipeline needs it."""

    channel_id: str
    user_id: str
    ts: str
    text: str
    thread_ts: str | None = None
    team_id: str | None = None
    channel_type: str | None = None
    edited: bool = False
    previous_text: str | None = None

    @property
    def in_thread(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


def _is_from_member(message: Mapping[str, Any]) -> bool:
    user = message.get("user")
    return (
        isinstance(user, str)
        and bool(user)
        and user != SLACKBOT_USER_ID
        and not message.get("bot_id")
        and not message.get("bot_profile")
    )


def member_message(event: Mapping[str, Any]) -> MemberMessage | None:
    """The member content of a `message` event, or None when there is none to check."""
    if event.get("type") != "message":
        return None
    subtype = event.get("subtype")
    channel = event.get("channel")
    if not isinstance(channel, str):
        return None
    if subtype == EDIT_SUBTYPE:
        return _edited_message(event, channel)
    if subtype is not None and subtype not in MEMBER_CONTENT_SUBTYPES:
        return None
    if not _is_from_member(event):
        return None
    return MemberMessage(
        channel_id=channel,
        user_id=str(event["user"]),
        ts=str(event.get("ts", "")),
        text=str(event.get("text") or ""),
        thread_ts=event.get("thread_ts"),
        team_id=event.get("team"),
        channel_type=event.get("channel_type"),
    )


def _edited_message(event: Mapping[str, Any], channel: str) -> MemberMessage | None:
    # An edit carries the new message under `message`; link unfurls and metadata updates also
    # arrive as message_changed with the text unchanged, and those are not new content.
    new = event.get("message")
    old = event.get("previous_message") or {}
    if not isinstance(new, Mapping) or not _is_from_member(new):
        return None
    new_text = str(new.get("text") or "")
    old_text = old.get("text") if isinstance(old, Mapping) else None
    if old_text is not None and old_text == new_text:
        return None
    return MemberMessage(
        channel_id=channel,
        user_id=str(new["user"]),
        ts=str(new.get("ts", "")),
        text=new_text,
        thread_ts=new.get("thread_ts"),
        team_id=new.get("team") or event.get("team"),
        channel_type=event.get("channel_type"),
        edited=True,
        previous_text=old_text,
    )


def is_member_message(event: Mapping[str, Any]) -> bool:
    """Listener matcher: only members' own new or edited messages reach the pipeline."""
    return member_message(event) is not None
