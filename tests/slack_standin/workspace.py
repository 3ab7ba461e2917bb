"""Workspace state of the stand-in: seeding helpers for tests, read accessors, and the low-level
mutations the API handlers use. All access goes through ``self.lock`` (re-entrant)."""

from __future__ import annotations

import bisect
import copy
import itertools
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from .defaults import DEFAULT_WORKSPACE, WorkspaceSpec
from .state import (
    ChannelRecord,
    EphemeralRecord,
    FileRecord,
    JsonDict,
    MessageRecord,
    ResponseUrlPost,
    TokenInfo,
    TriggerRecord,
    UsergroupRecord,
    UserRecord,
    ViewRecord,
)

SLACKBOT_ID = "USLACKBOT"


def ts_key(ts: str) -> tuple[int, int]:
    """Sort key for Slack ``ts`` strings (``"1512085950.000216"``)."""
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros.ljust(6, "0")[:6] or 0)


@dataclass
class WorkspacePrefs:
    """Workspace/app settings that change how methods answer. Change with ``configure(...)``."""

    restrict_bot_kicks: bool = False  # bot-token conversations.kick -> restricted_action (§9)
    admins_can_delete_others: bool = True  # admin xoxp chat.delete of others' messages (§18.3)
    home_tab_enabled: bool = True  # views.publish -> not_enabled when False (§14)
    chat_write_public: bool = False  # bot may post in public channels it is not a member of
    usergroups_available: bool = True  # False -> plan_upgrade_required (Free plan, §10)
    scim_available: bool = True  # False -> SCIM answers 403 (plan without SCIM, §12)
    trigger_ttl: float | None = None  # seconds; Slack's is 3 s (§7). None = never expires


class Workspace:
    def __init__(self, spec: WorkspaceSpec | None = DEFAULT_WORKSPACE) -> None:
        spec = spec if spec is not None else WorkspaceSpec()
        self.lock = threading.RLock()
        self.team_id = spec.team_id
        self.team_name = spec.team_name
        self.domain = spec.domain
        self.app_id = spec.app_id
        self.bot_user_id = spec.bot_user_id
        self.bot_id = spec.bot_id
        self.bot_token = spec.bot_token
        self.prefs = WorkspacePrefs()
        self.user_records: dict[str, UserRecord] = {}
        self.channel_records: dict[str, ChannelRecord] = {}
        self.message_log: dict[str, list[MessageRecord]] = {}
        self.deleted_log: list[MessageRecord] = []
        self.ephemeral_log: list[EphemeralRecord] = []
        self.view_records: dict[str, ViewRecord] = {}
        self.home_views: dict[str, str] = {}  # user id -> view id of the published Home tab
        self.trigger_records: dict[str, TriggerRecord] = {}
        self.usergroup_records: dict[str, UsergroupRecord] = {}
        self.file_records: dict[str, FileRecord] = {}
        self.token_records: dict[str, TokenInfo] = {}
        self.response_posts: list[ResponseUrlPost] = []
        self._dms: dict[frozenset[str], str] = {}
        self._counter = itertools.count(1)
        self._last_ts_us = 0
        self._admin_token: str | None = None
        self._seed(spec)

    # ------------------------------------------------------------------ seeding

    def _seed(self, spec: WorkspaceSpec) -> None:
        self.user_records[SLACKBOT_ID] = UserRecord(
            id=SLACKBOT_ID,
            name="slackbot",
            real_name="Slackbot",
            display_name="Slackbot",
            first_name="slackbot",
            tz="America/Los_Angeles",
            is_bot=False,  # Slackbot is reported as is_bot false (slack-notes §3, [P])
        )
        self.user_records[spec.bot_user_id] = UserRecord(
            id=spec.bot_user_id,
            name=spec.bot_name,
            real_name=spec.bot_name,
            first_name=spec.bot_name,
            is_bot=True,
            bot_id=spec.bot_id,
            app_id=spec.app_id,
        )
        self.token_records[spec.bot_token] = TokenInfo(
            spec.bot_token, spec.bot_user_id, bot_id=spec.bot_id
        )
        for u in spec.users:
            self.add_user(
                u.name,
                u.real_name,
                display_name=u.display_name,
                id=u.id,
                email=u.email,
                is_admin=u.is_admin,
                is_owner=u.is_owner,
                is_primary_owner=u.is_primary_owner,
                is_restricted=u.is_restricted,
                is_ultra_restricted=u.is_ultra_restricted,
                deleted=u.deleted,
                tz=u.tz,
                title=u.title,
                token=u.token,
            )
            if u.token is not None and u.is_admin and self._admin_token is None:
                self._admin_token = u.token
        for c in spec.channels:
            self.add_channel(
                c.name,
                members=c.members,
                id=c.id,
                is_private=c.is_private,
                is_general=c.is_general,
                is_archived=c.is_archived,
                bot_member=c.bot_member,
                topic=c.topic,
                purpose=c.purpose,
            )
        for g in spec.usergroups:
            self.add_usergroup(g.handle, g.members, name=g.name, id=g.id, description=g.description)

    def add_user(
        self,
        name: str,
        real_name: str = "",
        *,
        display_name: str = "",
        id: str | None = None,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        is_primary_owner: bool = False,
        is_restricted: bool = False,
        is_ultra_restricted: bool = False,
        is_bot: bool = False,
        bot_id: str | None = None,
        deleted: bool = False,
        tz: str = "Europe/London",
        title: str = "",
        token: str | None = None,
    ) -> str:
        """Add a member (or a bot user when ``bot_id`` is given); returns its id."""
        real = real_name or name
        first, _, last = real.partition(" ")
        with self.lock:
            user_id = id or self.new_id("U")
            if user_id in self.user_records:
                raise ValueError(f"user {user_id} already exists")
            self.user_records[user_id] = UserRecord(
                id=user_id,
                name=name,
                real_name=real,
                display_name=display_name,
                first_name=first if first_name is None else first_name,
                last_name=last if last_name is None else last_name,
                email=email,
                title=title,
                tz=tz,
                deleted=deleted,
                is_admin=is_admin or is_owner,
                is_owner=is_owner,
                is_primary_owner=is_primary_owner,
                is_restricted=is_restricted or is_ultra_restricted,
                is_ultra_restricted=is_ultra_restricted,
                is_bot=is_bot or bot_id is not None,
                bot_id=bot_id,
            )
            if token is not None:
                self.add_token(token, user_id)
        return user_id

    def add_token(self, token: str, user: str, *, bot_id: str | None = None) -> None:
        """Register a token that authenticates as ``user`` (``bot_id`` makes it a bot token)."""
        with self.lock:
            user_id = self.resolve_user(user)
            self.token_records[token] = TokenInfo(token, user_id, bot_id=bot_id)

    def add_channel(
        self,
        name: str,
        *,
        members: Iterable[str] = (),
        id: str | None = None,
        is_private: bool = False,
        is_general: bool = False,
        is_archived: bool = False,
        bot_member: bool = True,
        topic: str = "",
        purpose: str = "",
    ) -> str:
        """Add a public/private channel; ``members`` are user names or ids. Returns its id."""
        with self.lock:
            channel_id = id or self.new_id("C")
            member_ids = [self.resolve_user(m) for m in members]
            if bot_member and self.bot_user_id not in member_ids:
                member_ids.insert(0, self.bot_user_id)
            self.channel_records[channel_id] = ChannelRecord(
                id=channel_id,
                name=name,
                is_private=is_private,
                is_general=is_general,
                is_archived=is_archived,
                members=member_ids,
                creator=member_ids[0] if member_ids else "",
                topic=topic,
                purpose=purpose,
            )
            self.message_log[channel_id] = []
        return channel_id

    def add_member(self, channel: str, user: str) -> None:
        with self.lock:
            ch = self.channel_records[self.resolve_channel(channel)]
            user_id = self.resolve_user(user)
            if user_id not in ch.members:
                ch.members.append(user_id)

    def remove_member(self, channel: str, user: str) -> None:
        with self.lock:
            ch = self.channel_records[self.resolve_channel(channel)]
            user_id = self.resolve_user(user)
            if user_id in ch.members:
                ch.members.remove(user_id)

    def archive_channel(self, channel: str, archived: bool = True) -> None:
        with self.lock:
            self.channel_records[self.resolve_channel(channel)].is_archived = archived

    def set_user_deleted(self, user: str, deleted: bool = True) -> None:
        with self.lock:
            rec = self.user_records[self.resolve_user(user)]
            rec.deleted = deleted
            rec.updated = int(time.time())

    def add_usergroup(
        self,
        handle: str,
        users: Iterable[str],
        *,
        name: str | None = None,
        id: str | None = None,
        description: str = "",
        disabled: bool = False,
    ) -> str:
        with self.lock:
            group_id = id or self.new_id("S")
            self.usergroup_records[group_id] = UsergroupRecord(
                id=group_id,
                handle=handle,
                name=name or handle,
                users=[self.resolve_user(u) for u in users],
                description=description,
                disabled=disabled,
            )
        return group_id

    def set_usergroup_users(self, usergroup: str, users: Iterable[str]) -> None:
        with self.lock:
            group = self.usergroup_records[self.usergroup_id(usergroup)]
            group.users = [self.resolve_user(u) for u in users]

    def add_message(
        self,
        channel: str,
        user: str,
        text: str = "",
        *,
        ts: str | None = None,
        thread_ts: str | None = None,
        blocks: list[JsonDict] | None = None,
        subtype: str | None = None,
        bot_id: str | None = None,
        files: list[JsonDict] | None = None,
    ) -> str:
        """Seed a message as if ``user`` had posted it (no API call recorded). Returns its ts."""
        with self.lock:
            channel_id = self.resolve_channel(channel)
            user_id = self.resolve_user(user)
            rec = MessageRecord(
                channel=channel_id,
                ts=ts or self.next_ts(),
                text=text,
                user=user_id,
                bot_id=bot_id or self.user_records[user_id].bot_id,
                team=self.team_id,
                blocks=blocks,
                thread_ts=thread_ts,
                subtype=subtype,
                files=files,
            )
            if ts is not None:
                self._bump_ts(ts)
            if thread_ts is not None:
                parent = self.find_message(channel_id, thread_ts)
                rec.parent_user_id = parent.user if parent is not None else None
            self.store_message(rec)
            return rec.ts

    def issue_trigger_id(
        self, user: str | None = None, *, view_id: str | None = None, expired: bool = False
    ) -> str:
        """A trigger_id that views.open/views.push accept once (as if Slack sent an interaction)."""
        with self.lock:
            n = next(self._counter)
            trigger_id = f"{n}.{int(time.time())}.{secrets.token_hex(16)}"
            self.trigger_records[trigger_id] = TriggerRecord(
                trigger_id=trigger_id,
                user_id=self.resolve_user(user) if user is not None else None,
                issued_at=time.monotonic(),
                view_id=view_id,
                expired=expired,
            )
            return trigger_id

    def expire_trigger(self, trigger_id: str) -> None:
        with self.lock:
            self.trigger_records[trigger_id].expired = True

    def configure(self, **prefs: Any) -> None:
        """Change workspace prefs, e.g. ``configure(restrict_bot_kicks=True)``."""
        known = {f.name for f in fields(WorkspacePrefs)}
        unknown = set(prefs) - known
        if unknown:
            raise TypeError(f"unknown prefs {sorted(unknown)}; known: {sorted(known)}")
        with self.lock:
            for key, value in prefs.items():
                setattr(self.prefs, key, value)

    # ------------------------------------------------------------------ lookups by name

    @property
    def admin_token(self) -> str:
        if self._admin_token is None:
            raise LookupError("this workspace has no admin user token")
        return self._admin_token

    def user_id(self, name: str) -> str:
        with self.lock:
            for rec in self.user_records.values():
                if rec.name == name:
                    return rec.id
        raise KeyError(f"no user named {name!r}")

    def channel_id(self, name: str) -> str:
        with self.lock:
            for rec in self.channel_records.values():
                if rec.name == name.lstrip("#"):
                    return rec.id
        raise KeyError(f"no channel named {name!r}")

    def usergroup_id(self, handle: str) -> str:
        with self.lock:
            if handle in self.usergroup_records:
                return handle
            for rec in self.usergroup_records.values():
                if rec.handle == handle.lstrip("@"):
                    return rec.id
        raise KeyError(f"no usergroup with handle {handle!r}")

    def resolve_user(self, name_or_id: str) -> str:
        with self.lock:
            if name_or_id in self.user_records:
                return name_or_id
            return self.user_id(name_or_id)

    def resolve_channel(self, name_or_id: str) -> str:
        with self.lock:
            if name_or_id in self.channel_records:
                return name_or_id
            return self.channel_id(name_or_id)

    # ------------------------------------------------------------------ read accessors (copies)

    def user(self, user: str) -> JsonDict:
        with self.lock:
            return self.user_records[self.resolve_user(user)].to_api(self.team_id)

    def channel(self, channel: str) -> JsonDict:
        with self.lock:
            rec = self.channel_records[self.resolve_channel(channel)]
            data = rec.to_api(self.bot_user_id)
            data["members"] = list(rec.members)
            return data

    def members(self, channel: str) -> list[str]:
        with self.lock:
            return list(self.channel_records[self.resolve_channel(channel)].members)

    def is_member(self, channel: str, user: str) -> bool:
        with self.lock:
            ch = self.channel_records[self.resolve_channel(channel)]
            return self.resolve_user(user) in ch.members

    def messages(self, channel: str, *, include_replies: bool = True) -> list[JsonDict]:
        """Messages in a channel, oldest first (Slack-shaped copies)."""
        with self.lock:
            recs = self.message_log[self.resolve_channel(channel)]
            return [m.to_api() for m in recs if include_replies or not m.is_reply]

    def message(self, channel: str, ts: str) -> JsonDict | None:
        with self.lock:
            rec = self.find_message(self.resolve_channel(channel), ts)
            return rec.to_api() if rec is not None else None

    def deleted_messages(self, channel: str | None = None) -> list[JsonDict]:
        with self.lock:
            chan = self.resolve_channel(channel) if channel is not None else None
            return [
                dict(m.to_api(), channel=m.channel)
                for m in self.deleted_log
                if chan is None or m.channel == chan
            ]

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[JsonDict]:
        with self.lock:
            chan = self.resolve_channel(channel) if channel is not None else None
            uid = self.resolve_user(user) if user is not None else None
            return [
                e.to_api()
                for e in self.ephemeral_log
                if (chan is None or e.channel == chan) and (uid is None or e.user == uid)
            ]

    def view(self, view_id: str) -> JsonDict:
        with self.lock:
            return self.render_view(self.view_records[view_id])

    def views(self, user: str | None = None, *, view_type: str | None = None) -> list[JsonDict]:
        """Views opened/pushed/published so far (oldest first), optionally for one user."""
        with self.lock:
            uid = self.resolve_user(user) if user is not None else None
            return [
                self.render_view(v)
                for v in self.view_records.values()
                if (uid is None or v.user_id == uid) and (view_type is None or v.type == view_type)
            ]

    def home_view(self, user: str) -> JsonDict | None:
        with self.lock:
            view_id = self.home_views.get(self.resolve_user(user))
            return self.view(view_id) if view_id is not None else None

    def uploaded_file(self, file_id: str) -> FileRecord:
        with self.lock:
            return copy.deepcopy(self.file_records[file_id])

    def uploaded_files(self) -> list[FileRecord]:
        with self.lock:
            return [copy.deepcopy(f) for f in self.file_records.values()]

    def responses(self) -> list[ResponseUrlPost]:
        """Bodies the app POSTed to response_urls handed out by the stand-in."""
        with self.lock:
            return [copy.deepcopy(r) for r in self.response_posts]

    def dm_id(self, user: str) -> str:
        """The bot's DM channel with ``user`` (opened if needed, like conversations.open)."""
        with self.lock:
            return self.open_dm(self.bot_user_id, self.resolve_user(user))

    # ------------------------------------------------------------------ handler helpers

    def new_id(self, prefix: str) -> str:
        with self.lock:
            return f"{prefix}{next(self._counter):08X}"

    def _bump_ts(self, ts: str) -> None:
        seconds, micros = ts_key(ts)
        self._last_ts_us = max(self._last_ts_us, seconds * 1_000_000 + micros)

    def next_ts(self) -> str:
        """Monotonic, unique message ts based on the wall clock (``"1712345678.000123"``)."""
        with self.lock:
            now_us = time.time_ns() // 1000
            us = max(now_us, self._last_ts_us + 1)
            self._last_ts_us = us
            return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def store_message(self, rec: MessageRecord) -> None:
        with self.lock:
            log = self.message_log.setdefault(rec.channel, [])
            keys = [ts_key(m.ts) for m in log]
            log.insert(bisect.bisect_right(keys, ts_key(rec.ts)), rec)

    def find_message(self, channel_id: str, ts: str) -> MessageRecord | None:
        with self.lock:
            for m in self.message_log.get(channel_id, []):
                if m.ts == ts:
                    return m
            return None

    def replies_of(self, channel_id: str, thread_ts: str) -> list[MessageRecord]:
        with self.lock:
            return [
                m
                for m in self.message_log.get(channel_id, [])
                if m.thread_ts == thread_ts and m.ts != thread_ts
            ]

    def open_dm(self, user_a: str, user_b: str) -> str:
        """Stable 1:1 DM id between two users (``D…``), created on first use."""
        with self.lock:
            key = frozenset((user_a, user_b))
            existing = self._dms.get(key)
            if existing is not None:
                return existing
            dm_id = self.new_id("D")
            other = user_b if user_a == self.bot_user_id else user_a
            self.channel_records[dm_id] = ChannelRecord(
                id=dm_id,
                name=dm_id,
                is_im=True,
                is_private=True,
                im_user=other,
                members=[user_a, user_b] if user_a != user_b else [user_a],
            )
            self.message_log[dm_id] = []
            self._dms[key] = dm_id
            return dm_id

    def has_dm(self, user_a: str, user_b: str) -> bool:
        with self.lock:
            return frozenset((user_a, user_b)) in self._dms

    def bot_profile(self) -> JsonDict:
        """``bot_profile`` on messages posted by the app (slack-notes §2, bolt-js message types)."""
        return {
            "id": self.bot_id,
            "app_id": self.app_id,
            "name": self.user_records[self.bot_user_id].name,
            "icons": {"image_48": "https://a.slack-edge.com/bot_48.png"},
            "deleted": False,
            "updated": 0,
            "team_id": self.team_id,
        }

    def render_view(self, rec: ViewRecord) -> JsonDict:
        return rec.to_api(team_id=self.team_id, app_id=self.app_id, bot_id=self.bot_id)
