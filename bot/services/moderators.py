"""Who may act on cases: user ids from conduct.toml and the members of a user group.

Checked on the server for every moderator button, form and command: Slack shows buttons to
everyone in the channel they are posted in, and a forged request must not decide a case.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.settings import ModeratorSettings

log = logging.getLogger(__name__)


class ModeratorDirectory:
    def __init__(
        self,
        client: WebClient,
        settings: ModeratorSettings,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._settings = settings
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._group_members: frozenset[str] = frozenset()
        self._expires = float("-inf")

    def is_moderator(self, user_id: str) -> bool:
        return user_id in self._settings.user_ids or user_id in self._usergroup_members()

    def all(self) -> frozenset[str]:
        return frozenset(self._settings.user_ids) | self._usergroup_members()

    def _usergroup_members(self) -> frozenset[str]:
        handle = self._settings.usergroup
        if not handle:
            return frozenset()
        with self._lock:
            if self._monotonic() < self._expires:
                return self._group_members
            members = self._fetch(handle.lstrip("@"))
            if members is not None:
                self._group_members = members
                self._expires = self._monotonic() + self._settings.cache_seconds
            # On a Slack failure the last known list stays in use (empty at start-up: the
            # safe side, nobody gains rights from an outage) and the next call retries.
            return self._group_members

    def _fetch(self, handle: str) -> frozenset[str] | None:
        try:
            groups = self._client.usergroups_list(include_users=False)
            group_id = next(
                (g["id"] for g in groups.get("usergroups") or [] if g.get("handle") == handle),
                None,
            )
            if group_id is None:
                log.error("moderators' user group not found", extra={"usergroup": handle})
                return frozenset()
            users = self._client.usergroups_users_list(usergroup=group_id)
        except SlackApiError as exc:
            log.warning(
                "moderators' user group could not be read",
                extra={"error": exc.response.get("error")},
            )
            return None
        return frozenset(str(u) for u in users.get("users") or [])
