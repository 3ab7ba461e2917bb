"""What the engine is asked about: a message in a channel, or a member's profile names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """A member's message. `text` is Slack's `text` field as delivered (markup, entities)."""

    text: str
    channel: str = ""
    """Channel name without '#'; empty for direct messages and unknown channels."""
    id: str | None = None
    author_id: str | None = None


@dataclass(frozen=True)
class Account:
    """A member's profile names, for the real-name rule."""

    real_name: str
    display_name: str = ""
    id: str | None = None
