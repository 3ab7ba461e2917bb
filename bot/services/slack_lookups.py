"""Small read-through caches over Slack lookups, one set per app (held by `AppServices`):
what does not change often enough to ask Slack for on every event."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.views.names import profile_url

log = logging.getLogger(__name__)

#: Who posted a thread's parent never changes; the cache is short only to bound memory
#: and to forget threads nobody replies to any more.
THREAD_AUTHOR_TTL = timedelta(minutes=10)
THREAD_AUTHOR_MAX_ENTRIES = 1024


class ThreadAuthors:
    """Who posted a thread's parent message, from Slack, cached briefly.

    `conversations.replies(channel, ts=thread_ts, limit=1)`: its first message *is* the
    parent, found by its exact ts, and a parent that is gone answers `thread_not_found`.
    `conversations.history(latest=thread_ts, inclusive=True, limit=1)` returns the newest
    top-level message at or before that ts, which is a different message when the parent was
    deleted, and would pin the reply on the wrong person. Both are Tier 3 and under the same
    2025 limits for commercially distributed apps (shared/slack-notes.md §11).
    """

    def __init__(
        self,
        client: WebClient,
        ttl: timedelta = THREAD_AUTHOR_TTL,
        max_entries: int = THREAD_AUTHOR_MAX_ENTRIES,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str], tuple[datetime, str | None]] = OrderedDict()
        self._lock = threading.Lock()

    def author_of(self, channel_id: str, thread_ts: str, now: datetime) -> str | None:
        key = (channel_id, thread_ts)
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None and now - cached[0] < self._ttl:
                return cached[1]
        try:
            answer = self._client.conversations_replies(channel=channel_id, ts=thread_ts, limit=1)
        except SlackApiError as exc:
            # Not cached: a rate limit or a passing error should not hide the thread for long.
            log.warning(
                "thread parent not read",
                extra={"channel_id": channel_id, "error": exc.response.get("error")},
            )
            return None
        author = _parent_author(answer.get("messages"), thread_ts)
        with self._lock:
            self._entries[key] = (now, author)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return author


def _parent_author(messages: Any, thread_ts: str) -> str | None:
    if not isinstance(messages, list) or not messages:
        return None
    parent = messages[0]
    if not isinstance(parent, Mapping) or parent.get("ts") != thread_ts:
        return None
    user = parent.get("user")
    return user if isinstance(user, str) and user else None


class WorkspaceLinks:
    """Links into the workspace, from `auth.test`'s `url`, asked once and kept.

    A failure is not kept (the next call tries again) and means "no link"."""

    def __init__(self, client: WebClient) -> None:
        self._client = client
        self._url: str | None = None
        self._lock = threading.Lock()

    def profile_url(self) -> str | None:
        """The link that opens one's own profile, or None (the note shows steps only)."""
        with self._lock:
            url = self._url
        if url is None:
            try:
                response = self._client.auth_test()
            except SlackApiError as exc:
                log.warning("auth.test failed", extra={"error": exc.response.get("error")})
                return None
            answer = response.get("url")
            if not isinstance(answer, str) or profile_url(answer) is None:
                return None
            with self._lock:
                self._url = url = answer
        return profile_url(url)


@dataclass(frozen=True)
class SlackLookups:
    """Every cache over one Slack client."""

    client: WebClient
    thread_authors: ThreadAuthors = field(init=False)
    workspace: WorkspaceLinks = field(init=False)

    def __post_init__(self) -> None:
        # frozen: the caches are made once, with the client they read through
        object.__setattr__(self, "thread_authors", ThreadAuthors(self.client))
        object.__setattr__(self, "workspace", WorkspaceLinks(self.client))
