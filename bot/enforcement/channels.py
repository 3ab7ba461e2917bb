"""The `channels` backend (every Slack plan): a ban removes the member from every channel the
bot shares with them, and lifting it puts them back.

Slack gives apps no way to deactivate a member below Business+, but a bot with
`channels:manage`/`groups:write` may remove members from the channels it is in
(`conversations.kick`, slack-notes §9). Every removal is written down first (a
`RemovedMembership` row) so a lift, even one retried after a crash, restores exactly what
the ban took away. The workspace's general channel cannot be left (`cant_kick_from_general`),
and a workspace preference may keep apps from removing anyone (`restricted_action`): those
are recorded as failed steps and the rest goes on.

With an Owner's or Admin's user token (`SLACK_ADMIN_USER_TOKEN`), messages a banned member
still posts (in the general channel, say) are deleted with `chat.delete` (slack-notes §8:
a user token deletes what that person may delete in Slack).
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.enforcement.base import EnforcementRequest, Step
from models import EnforcementAction, RemovedMembership
from moderation.ids import ActionLevel

BANS = frozenset({ActionLevel.TEMPORARY_BAN, ActionLevel.PERMANENT_BAN})
CHANNEL_TYPES = "public_channel,private_channel"
#: conversations.list: "Must be an integer under 1000" (slack-notes §9)
LIST_PAGE_SIZE = 999
MEMBERS_PAGE_SIZE = 500
#: a page loop that never ends (a cursor that keeps coming back) stops here
MAX_PAGES = 1000

#: invite answers that mean the member is back in the channel
RESTORED_ANSWERS = frozenset({"already_in_channel"})
#: kick answers that mean there was nothing to remove (they left on their own meanwhile)
NOT_THERE_ANSWERS = frozenset({"not_in_channel"})


def error_code(exc: Exception) -> str:
    """Slack's error code for a failed call, or what went wrong on the way (after retries)."""
    if isinstance(exc, SlackApiError):
        error = exc.response.get("error")
        return str(error) if error else f"http_{exc.response.status_code}"
    return type(exc).__name__


def kick_step(channel_id: str) -> str:
    return f"conversations.kick {channel_id}"


def invite_step(channel_id: str) -> str:
    return f"conversations.invite {channel_id}"


class ChannelsBackend:
    name = "channels"

    def __init__(
        self,
        client: WebClient,
        session_factory: sessionmaker[Session],
        *,
        admin_client: WebClient | None = None,
    ) -> None:
        self._client = client
        self._session_factory = session_factory
        self._admin_client = admin_client

    @property
    def deletes_messages(self) -> bool:
        return self._admin_client is not None

    # ------------------------------------------------------------------ ban

    def carry_out(self, request: EnforcementRequest, now: datetime) -> list[Step]:
        at = now.isoformat()
        if request.level not in BANS:
            return [Step("nothing_to_do", True, at)]
        channels, steps = self.shared_channels(request.member_user_id, now)
        if channels is None:
            return steps
        member_id = self._member_id(request.action_id)
        for channel_id in channels:
            steps.append(
                self._remove(request.action_id, member_id, request.member_user_id, channel_id, now)
            )
        return steps

    def shared_channels(self, user_id: str, now: datetime) -> tuple[list[str] | None, list[Step]]:
        """The channels (public and private, not archived) the bot and the member are both in.

        The bot's channels come from `conversations.list` (`is_member`); then each one's
        `conversations.members` is read until the member is found. Returns None for the
        channels when the bot's own list could not be read; a channel whose members could not
        be read is reported as a failed step and left out.
        """
        at = now.isoformat()
        try:
            bot_channels = self._bot_channels()
        except (SlackClientError, OSError) as exc:
            return None, [Step("conversations.list", False, at, error_code(exc))]
        shared: list[str] = []
        steps: list[Step] = []
        for channel_id in bot_channels:
            try:
                if self._is_member(channel_id, user_id):
                    shared.append(channel_id)
            except (SlackClientError, OSError) as exc:
                steps.append(
                    Step(f"conversations.members {channel_id}", False, at, error_code(exc))
                )
        return shared, steps

    def _bot_channels(self) -> list[str]:
        found: list[str] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = self._client.conversations_list(
                types=CHANNEL_TYPES, exclude_archived=True, limit=LIST_PAGE_SIZE, cursor=cursor
            )
            for channel in page.get("channels") or []:
                if channel.get("is_member") and not channel.get("is_archived"):
                    found.append(str(channel["id"]))
            cursor = _next_cursor(page.data)
            if not cursor:
                break
        return found

    def _is_member(self, channel_id: str, user_id: str) -> bool:
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = self._client.conversations_members(
                channel=channel_id, limit=MEMBERS_PAGE_SIZE, cursor=cursor
            )
            if user_id in (page.get("members") or []):
                return True
            cursor = _next_cursor(page.data)
            if not cursor:
                break
        return False

    def _remove(
        self, action_id: int, member_id: int, user_id: str, channel_id: str, now: datetime
    ) -> Step:
        at = now.isoformat()
        # The row first: if the process dies after the kick, the lift still knows to restore
        # this channel (an invite of someone still there answers already_in_channel: fine).
        created = self._note_removal(action_id, member_id, channel_id, now)
        try:
            self._client.conversations_kick(channel=channel_id, user=user_id)
        except (SlackClientError, OSError) as exc:
            code = error_code(exc)
            if created:
                self._forget_removal(action_id, channel_id)
            return Step(kick_step(channel_id), code in NOT_THERE_ANSWERS, at, code)
        return Step(kick_step(channel_id), True, at)

    def _member_id(self, action_id: int) -> int:
        with self._session_factory() as session:
            member_id = session.scalar(
                select(EnforcementAction.member_id).where(EnforcementAction.id == action_id)
            )
        if member_id is None:
            raise LookupError(f"no enforcement action {action_id}")
        return member_id

    def _note_removal(self, action_id: int, member_id: int, channel_id: str, now: datetime) -> bool:
        """Record (or re-open) the removal; True when this call created the row."""
        with self._session_factory.begin() as session:
            row = session.scalar(
                select(RemovedMembership).where(
                    RemovedMembership.action_id == action_id,
                    RemovedMembership.channel_id == channel_id,
                )
            )
            if row is None:
                session.add(
                    RemovedMembership(
                        action_id=action_id,
                        member_id=member_id,
                        channel_id=channel_id,
                        removed_at=now,
                    )
                )
                return True
            if row.restored_at is not None:  # removed again after a restore
                row.restored_at = None
                row.restore_error = None
                row.removed_at = now
            return False

    def _forget_removal(self, action_id: int, channel_id: str) -> None:
        with self._session_factory.begin() as session:
            row = session.scalar(
                select(RemovedMembership).where(
                    RemovedMembership.action_id == action_id,
                    RemovedMembership.channel_id == channel_id,
                )
            )
            if row is not None:
                session.delete(row)

    # ------------------------------------------------------------------ lift

    def lift(self, request: EnforcementRequest, now: datetime) -> list[Step]:
        """Invite the member back to every channel the ban removed them from and that is not
        restored yet. Safe to call again: what was restored is not touched, what failed is
        tried again."""
        at = now.isoformat()
        if request.level not in BANS:
            return [Step("nothing_to_do", True, at)]
        with self._session_factory() as session:
            pending = session.execute(
                select(RemovedMembership.id, RemovedMembership.channel_id)
                .where(
                    RemovedMembership.action_id == request.action_id,
                    RemovedMembership.restored_at.is_(None),
                )
                .order_by(RemovedMembership.id)
            ).all()
        if not pending:
            return [Step("nothing_to_restore", True, at)]
        return [
            self._restore(row_id, channel_id, request.member_user_id, now)
            for row_id, channel_id in pending
        ]

    def _restore(self, row_id: int, channel_id: str, user_id: str, now: datetime) -> Step:
        error: str | None = None
        detail: str | None = None
        try:
            self._client.conversations_invite(channel=channel_id, users=user_id)
        except (SlackClientError, OSError) as exc:
            detail = error_code(exc)
            if detail not in RESTORED_ANSWERS:
                error = detail
        with self._session_factory.begin() as session:
            row = session.get(RemovedMembership, row_id)
            if row is not None:
                if error is None:
                    row.restored_at = now
                    row.restore_error = None
                else:
                    row.restore_error = error
        return Step(invite_step(channel_id), error is None, now.isoformat(), detail)

    # ------------------------------------------------------------------ rejoining

    def on_banned_member_joined(
        self, action_id: int, user_id: str, channel_id: str, now: datetime
    ) -> Step:
        """Remove a banned member who joined a channel again; recorded like the ban's own
        removals, so the lift puts them back in it (they chose to be there)."""
        return self._remove(action_id, self._member_id(action_id), user_id, channel_id, now)

    # ------------------------------------------------------------------ messages

    def on_banned_member_message(
        self, channel_id: str, ts: str, user_id: str, now: datetime
    ) -> Step | None:
        """Delete a message a banned member posted, with the admin user token; None when
        there is no admin token (nothing is tried)."""
        if self._admin_client is None:
            return None
        try:
            self._admin_client.chat_delete(channel=channel_id, ts=ts)
        except (SlackClientError, OSError) as exc:
            return Step("chat.delete", False, now.isoformat(), error_code(exc))
        return Step("chat.delete", True, now.isoformat())


def _next_cursor(data: object) -> str | None:
    if not isinstance(data, dict):
        return None
    metadata = data.get("response_metadata") or {}
    cursor = metadata.get("next_cursor") if isinstance(metadata, dict) else None
    return cursor if isinstance(cursor, str) and cursor else None
