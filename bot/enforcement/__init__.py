"""Carrying a decision out on Slack. One backend per deployment, chosen in conduct.toml."""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.enforcement.base import (
    DeletesBannedMessages,
    EnforcementBackend,
    EnforcementRequest,
    RemovesRejoiningMembers,
    Step,
)
from bot.enforcement.channels import ChannelsBackend
from bot.enforcement.notify import NotifyBackend
from bot.enforcement.scim import ScimBackend, build_scim_client
from bot.settings import ENFORCEMENT_BACKENDS, ConfigError, Settings
from bot.slack_client import build_web_client, client_metrics

__all__ = [
    "ChannelsBackend",
    "DeletesBannedMessages",
    "EnforcementBackend",
    "EnforcementRequest",
    "NotifyBackend",
    "RemovesRejoiningMembers",
    "ScimBackend",
    "Step",
    "build_backend",
]


def build_backend(
    settings: Settings, client: WebClient, session_factory: sessionmaker[Session]
) -> EnforcementBackend:
    """The backend `[enforcement] backend` names; a setting it cannot work with stops the
    bot at start-up with a ConfigError naming what is missing."""
    choice = settings.community.enforcement.backend
    admin_token = settings.slack.admin_user_token
    if choice == "notify":
        return NotifyBackend(client)
    if choice == "channels":
        admin_client = (
            build_web_client(admin_token, settings.slack.api_url, metrics=client_metrics(client))
            if admin_token
            else None
        )
        return ChannelsBackend(client, session_factory, admin_client=admin_client)
    if choice == "scim":
        if not admin_token:
            raise ConfigError(
                "SLACK_ADMIN_USER_TOKEN",
                'not set; the "scim" enforcement backend needs a Workspace Owner\'s user token '
                "(xoxp-) with the admin scope (Business+ or Enterprise Grid plans). Set it, or "
                'choose backend = "channels" or "notify" in [enforcement]',
            )
        return ScimBackend(build_scim_client(admin_token, settings.slack.scim_url))
    raise ConfigError(
        "enforcement.backend", f"must be one of {', '.join(ENFORCEMENT_BACKENDS)}; got {choice!r}"
    )
