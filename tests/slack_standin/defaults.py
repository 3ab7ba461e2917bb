"""The default workspace the ``slack_standin`` fixture is seeded with, kept in one place.

Tests refer to things by name (``standin.user_id("alice")``, ``standin.channel_id("random")``)
rather than by the literal ids below, so the ids can change without touching tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BOT_TOKEN = "xoxb-test-bot"
ADMIN_TOKEN = "xoxp-test-admin"
SIGNING_SECRET = "test-signing-secret"


@dataclass(frozen=True)
class UserSpec:
    name: str  # the Slack handle (``user.name``), also the key for ``user_id(name)``
    real_name: str
    display_name: str = ""
    id: str | None = None
    email: str | None = None
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    is_restricted: bool = False
    is_ultra_restricted: bool = False
    deleted: bool = False
    tz: str = "Europe/London"
    title: str = ""
    token: str | None = None  # a user token (``xoxp-``) that authenticates as this user


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    members: tuple[str, ...]  # user *names*; the bot is added when ``bot_member`` is true
    id: str | None = None
    is_private: bool = False
    is_general: bool = False
    is_archived: bool = False
    bot_member: bool = True
    topic: str = ""
    purpose: str = ""


@dataclass(frozen=True)
class UsergroupSpec:
    handle: str
    name: str
    members: tuple[str, ...]  # user names
    id: str | None = None
    description: str = ""


@dataclass(frozen=True)
class WorkspaceSpec:
    team_id: str = "T0CONDUCT"
    team_name: str = "All Things In Harmony"
    domain: str = "atih"
    app_id: str = "A0CONDUCT"
    bot_user_id: str = "U0BOT"
    bot_id: str = "B0BOT"
    bot_name: str = "conduct"
    bot_token: str = BOT_TOKEN
    users: tuple[UserSpec, ...] = field(default_factory=tuple)
    channels: tuple[ChannelSpec, ...] = field(default_factory=tuple)
    usergroups: tuple[UsergroupSpec, ...] = field(default_factory=tuple)


def default_workspace() -> WorkspaceSpec:
    """Team T0CONDUCT (``atih``), bot U0BOT/B0BOT, an owner with an admin user token, a handful of
    members (one guest, one deactivated, one with accents to exercise ``*_normalized``)."""
    users = (
        UserSpec(
            name="ada",
            real_name="Ada Brennan",
            display_name="ada",
            id="U0ADA",
            email="ada@atih.example",
            is_admin=True,
            is_owner=True,
            is_primary_owner=True,
            title="Community lead",
            token=ADMIN_TOKEN,
        ),
        UserSpec(
            name="carla",
            real_name="Carla Muñoz",
            display_name="Carla",
            id="U0CARLA",
            email="carla@atih.example",
            is_admin=True,
            tz="Europe/Madrid",
            title="Moderator",
        ),
        UserSpec(
            name="alice",
            real_name="Alice Nakamura",
            display_name="alice",
            id="U0ALICE",
            email="alice@atih.example",
            tz="Asia/Tokyo",
        ),
        UserSpec(
            name="bob",
            real_name="Bob Okafor",
            display_name="",
            id="U0BOB",
            email="bob@atih.example",
            tz="Africa/Lagos",
        ),
        UserSpec(
            name="dmitri",
            real_name="Dmitri Volkov",
            display_name="dima",
            id="U0DMITRI",
            email="dmitri@atih.example",
            tz="Europe/Berlin",
        ),
        UserSpec(
            name="zoe",
            real_name="Zoë Ångström",
            display_name="zoë",
            id="U0ZOE",
            email="zoe@atih.example",
            tz="Europe/Stockholm",
        ),
        UserSpec(
            name="gus",
            real_name="Gus Guest",
            display_name="gus",
            id="U0GUS",
            email="gus@partner.example",
            is_restricted=True,
        ),
        UserSpec(
            name="frank",
            real_name="Frank Former",
            display_name="frank",
            id="U0FRANK",
            email="frank@atih.example",
            deleted=True,
        ),
    )
    everyone = ("ada", "carla", "alice", "bob", "dmitri", "zoe")
    channels = (
        ChannelSpec(
            name="general-discussions",
            id="C0GENERAL",
            members=everyone,
            is_general=True,
            purpose="Talk about anything community related",
        ),
        ChannelSpec(
            name="shameless-plugs",
            id="C0PLUGS",
            members=("ada", "alice", "bob", "zoe", "gus"),
            purpose="Share your projects",
        ),
        ChannelSpec(
            name="moderators",
            id="C0MODS",
            members=("ada", "carla"),
            is_private=True,
            purpose="Private moderator coordination",
        ),
        ChannelSpec(name="random", id="C0RANDOM", members=("ada", "alice", "dmitri")),
    )
    usergroups = (
        UsergroupSpec(
            handle="moderators",
            name="Moderators",
            id="S0MODS",
            members=("ada", "carla"),
            description="Code of Conduct moderators",
        ),
    )
    return WorkspaceSpec(users=users, channels=channels, usergroups=usergroups)


DEFAULT_WORKSPACE: WorkspaceSpec = default_workspace()
