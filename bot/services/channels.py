"""Channel ids to names and back: the community's rules are written with channel names."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 600.0


class ChannelDirectory:
    """A small, thread-safe cache over `conversations.info` / `conversations.list`.

    Names change rarely and the rules only need them for scope, so a few minutes of staleness
    is harmless; a miss costs one Tier-3 call.
    """

    def __init__(
        self,
        client: WebClient,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._names: dict[str, tuple[str, float]] = {}
        self._ids: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def name_of(self, channel_id: str) -> str:
        """The channel's name without '#'; "" for direct messages and channels we cannot see.

        An empty name is in no configured scope, so only the policies that apply everywhere
        run there (the engine's choice, not this cache's).
        """
        if channel_id.startswith("D"):
            return ""
        cached = self._fresh(self._names, channel_id)
        if cached is not None:
            return cached
        try:
            info = self._client.conversations_info(channel=channel_id)
        except SlackApiError as exc:
            log.warning(
                "conversations.info failed",
                extra={"channel_id": channel_id, "error": exc.response.get("error")},
            )
            return ""
        channel = info.get("channel") or {}
        name = (
            "" if channel.get("is_im") or channel.get("is_mpim") else str(channel.get("name") or "")
        )
        self._remember(channel_id, name)
        return name

    def id_of(self, name: str) -> str | None:
        """The id of the public or private channel called `name` (the bot must see it)."""
        name = name.lstrip("#")
        cached = self._fresh(self._ids, name)
        if cached is not None:
            return cached
        cursor: str | None = None
        while True:
            page = self._client.conversations_list(
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=200,
                cursor=cursor,
            )
            for channel in page.get("channels") or []:
                self._remember(str(channel["id"]), str(channel.get("name") or ""))
            cached = self._fresh(self._ids, name)
            if cached is not None:
                return cached
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None

    def _remember(self, channel_id: str, name: str) -> None:
        expires = self._monotonic() + self._ttl
        with self._lock:
            self._names[channel_id] = (name, expires)
            if name:
                self._ids[name] = (channel_id, expires)

    def _fresh(self, table: dict[str, tuple[str, float]], key: str) -> str | None:
        with self._lock:
            entry = table.get(key)
        if entry is None or entry[1] < self._monotonic():
            return None
        return entry[0]
