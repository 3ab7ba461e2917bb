"""Records that make up the stand-in's workspace state, and their Slack-shaped renderings.

Every ``to_api`` method returns a fresh dict shaped like the objects the Slack Web API returns; the
source of each shape is noted on the method. The records themselves are mutable and only touched
while holding the owning :class:`~tests.slack_standin.workspace.Workspace` lock.
"""

from __future__ import annotations

import copy
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


def ascii_fold(text: str) -> str:
    """Approximate Slack's ``*_normalized`` profile fields: strip accents, keep ASCII only."""
    decomposed = unicodedata.normalize("NFKD", text)
    return (
        "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        .encode("ascii", "ignore")
        .decode("ascii")
    )


def ts_to_permalink_part(ts: str) -> str:
    """``1358546515.000008`` -> ``p1358546515000008`` (REF chat.getPermalink.json examples)."""
    return "p" + ts.replace(".", "")


@dataclass
class TokenInfo:
    """What a token authenticates as. ``bot_id`` is set only for bot tokens (``xoxb-``)."""

    token: str
    user_id: str
    bot_id: str | None = None

    @property
    def is_bot(self) -> bool:
        return self.bot_id is not None


@dataclass
class UserRecord:
    id: str
    name: str
    real_name: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    title: str = ""
    tz: str = "Europe/London"
    tz_offset: int = 0
    deleted: bool = False
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    is_restricted: bool = False
    is_ultra_restricted: bool = False
    is_bot: bool = False
    is_app_user: bool = False
    bot_id: str | None = None
    app_id: str | None = None
    updated: int = field(default_factory=lambda: int(time.time()))
    created: int = field(default_factory=lambda: int(time.time()))

    def to_api(self, team_id: str) -> JsonDict:
        """User object, https://api.slack.com/types/user (slack-notes §3)."""
        profile: JsonDict = {
            "title": self.title,
            "phone": "",
            "skype": "",
            "real_name": self.real_name,
            "real_name_normalized": ascii_fold(self.real_name),
            "display_name": self.display_name,
            "display_name_normalized": ascii_fold(self.display_name),
            "fields": {},
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g0000000000",
            "first_name": self.first_name,
            "last_name": self.last_name,
            "image_72": f"https://secure.gravatar.com/avatar/{self.id}.jpg?s=72",
            "team": team_id,
        }
        if self.email is not None:
            profile["email"] = self.email
        if self.bot_id is not None:
            # bot users carry bot_id/api_app_id in the profile (users.info of an app's bot user)
            profile["bot_id"] = self.bot_id
            profile["api_app_id"] = self.app_id or ""
            profile["always_active"] = True
        user: JsonDict = {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": self.tz_offset,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": self.is_ultra_restricted,
            "is_bot": self.is_bot,
            "is_app_user": self.is_app_user,
            "is_email_confirmed": True,
            "who_can_share_contact_card": "EVERYONE",
            "updated": self.updated,
        }
        return user


@dataclass
class ChannelRecord:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    is_general: bool = False
    is_im: bool = False
    is_mpim: bool = False
    im_user: str | None = None  # the other party of a 1:1 DM
    members: list[str] = field(default_factory=list)
    creator: str = ""
    topic: str = ""
    purpose: str = ""
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def is_channel(self) -> bool:
        return not (self.is_im or self.is_mpim)

    def to_api(self, viewer_id: str | None = None, *, include_num_members: bool = True) -> JsonDict:
        """Conversation object. Channel shape: REF conversations.invite.json / conversations.info;
        IM shape: REF conversations.open.json (``return_im``)."""
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": None,
                "updated": self.created * 1000,
                "user": self.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        channel: JsonDict = {
            "id": self.id,
            "name": self.name,
            "is_channel": self.is_channel,
            "is_group": False,
            "is_im": False,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private or self.is_mpim,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_general": self.is_general,
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": None,
            "updated": self.created * 1000,
            "parent_conversation": None,
            "creator": self.creator,
            "topic": {"value": self.topic, "creator": self.creator, "last_set": 0},
            "purpose": {"value": self.purpose, "creator": self.creator, "last_set": 0},
            "previous_names": [],
        }
        if viewer_id is not None:
            channel["is_member"] = viewer_id in self.members
        if include_num_members:
            channel["num_members"] = len(self.members)
        return channel


@dataclass
class MessageRecord:
    channel: str
    ts: str
    text: str = ""
    user: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    team: str | None = None
    blocks: list[JsonDict] | None = None
    attachments: list[JsonDict] | None = None
    thread_ts: str | None = None
    parent_user_id: str | None = None
    subtype: str | None = None
    reply_broadcast: bool = False
    edited: JsonDict | None = None
    files: list[JsonDict] | None = None
    metadata: JsonDict | None = None
    bot_profile: JsonDict | None = None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_api(self) -> JsonDict:
        """Message object as in conversations.history / chat.postMessage ``message``
        (REF chat.postMessage.json, conversations.history.json; slack-notes §2)."""
        msg: JsonDict = {"type": "message", "ts": self.ts, "text": self.text}
        if self.subtype is not None:
            msg["subtype"] = self.subtype
        for key in ("user", "bot_id", "app_id", "team", "thread_ts", "parent_user_id"):
            value = getattr(self, key)
            if value is not None:
                msg[key] = value
        if self.bot_profile is not None:
            msg["bot_profile"] = copy.deepcopy(self.bot_profile)
        if self.blocks is not None:
            msg["blocks"] = copy.deepcopy(self.blocks)
        if self.attachments is not None:
            msg["attachments"] = copy.deepcopy(self.attachments)
        if self.files is not None:
            msg["files"] = copy.deepcopy(self.files)
            msg["upload"] = False
        if self.edited is not None:
            msg["edited"] = dict(self.edited)
        if self.metadata is not None:
            msg["metadata"] = copy.deepcopy(self.metadata)
        return msg


@dataclass
class EphemeralRecord:
    """chat.postEphemeral deliveries; not visible in history (slack-notes §8)."""

    channel: str
    user: str
    ts: str
    text: str = ""
    blocks: list[JsonDict] | None = None
    thread_ts: str | None = None
    sender: str = ""

    def to_api(self) -> JsonDict:
        data: JsonDict = {
            "type": "message",
            "subtype": "ephemeral",
            "channel": self.channel,
            "user": self.user,
            "ts": self.ts,
            "text": self.text,
            "sender": self.sender,
        }
        if self.blocks is not None:
            data["blocks"] = copy.deepcopy(self.blocks)
        if self.thread_ts is not None:
            data["thread_ts"] = self.thread_ts
        return data


@dataclass
class ViewRecord:
    id: str
    user_id: str
    view: JsonDict
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    external_id: str = ""
    closed: bool = False

    @property
    def type(self) -> str:
        return str(self.view.get("type", ""))

    def to_api(self, *, team_id: str, app_id: str, bot_id: str) -> JsonDict:
        """View object, REF views.open.json / views.update.json response examples."""
        v = self.view
        return {
            "id": self.id,
            "team_id": team_id,
            "type": v.get("type"),
            "title": copy.deepcopy(v.get("title")),
            "submit": copy.deepcopy(v.get("submit")),
            "close": copy.deepcopy(v.get("close")),
            "blocks": copy.deepcopy(v.get("blocks", [])),
            "private_metadata": v.get("private_metadata", ""),
            "callback_id": v.get("callback_id", ""),
            "external_id": self.external_id,
            "state": {"values": {}},
            "hash": self.hash,
            "clear_on_close": bool(v.get("clear_on_close", False)),
            "notify_on_close": bool(v.get("notify_on_close", False)),
            "root_view_id": self.root_view_id,
            "previous_view_id": self.previous_view_id,
            "app_id": app_id,
            "app_installed_team_id": team_id,
            "bot_id": bot_id,
        }


@dataclass
class TriggerRecord:
    trigger_id: str
    user_id: str | None
    issued_at: float
    view_id: str | None = None  # set when the trigger comes from an interaction inside a modal
    expired: bool = False
    used: bool = False


@dataclass
class UsergroupRecord:
    id: str
    handle: str
    name: str
    users: list[str] = field(default_factory=list)
    description: str = ""
    disabled: bool = False
    created_by: str = "USLACKBOT"
    date_create: int = field(default_factory=lambda: int(time.time()))

    def to_api(self, team_id: str, *, include_users: bool) -> JsonDict:
        """Usergroup object, REF usergroups.list.json (``user_count`` is a string there)."""
        group: JsonDict = {
            "id": self.id,
            "team_id": team_id,
            "is_usergroup": True,
            "is_subteam": True,
            "name": self.name,
            "description": self.description,
            "handle": self.handle,
            "is_external": False,
            "date_create": self.date_create,
            "date_update": self.date_create,
            "date_delete": self.date_create if self.disabled else 0,
            "auto_type": None,
            "auto_provision": False,
            "enterprise_subteam_id": "",
            "created_by": self.created_by,
            "updated_by": self.created_by,
            "deleted_by": None,
            "prefs": {"channels": [], "groups": []},
            "user_count": str(len(self.users)),
        }
        if include_users:
            group["users"] = list(self.users)
        return group


@dataclass
class FileRecord:
    id: str
    filename: str
    length: int
    alt_txt: str | None = None
    title: str | None = None
    content: bytes | None = None  # set when the raw upload arrives at upload_url
    completed: bool = False
    channels: list[str] = field(default_factory=list)
    thread_ts: str | None = None
    initial_comment: str | None = None

    def to_api(self) -> JsonDict:
        """Minimal file object as in REF files.completeUploadExternal.json (id, title) plus a few
        fields Slack puts on shared files (name, size)."""
        return {
            "id": self.id,
            "name": self.filename,
            "title": self.title if self.title is not None else self.filename,
            "size": len(self.content) if self.content is not None else self.length,
        }


@dataclass
class ResponseUrlPost:
    """A POST the app made to a ``response_url`` handed out by the stand-in."""

    url: str
    body: JsonDict
