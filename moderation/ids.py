"""Stable identifiers shared by config, the database, the CLI and evaluation."""

from __future__ import annotations

from enum import StrEnum


class PolicyId(StrEnum):
    SELF_PROMOTION = "self_promotion"
    FUNDS_REQUEST = "funds_request"
    GEOPOLITICS = "geopolitics"
    HARASSMENT = "harassment"
    PRIVATE_INFO = "private_info"
    ANONYMOUS_ACCOUNT = "anonymous_account"


class Response(StrEnum):
    """What the bot does about a finding: nothing, a private nudge, a flag to moderators, or both."""

    NONE = "none"
    NUDGE = "nudge"
    FLAG = "flag"
    NUDGE_FLAG = "nudge_flag"


class Mode(StrEnum):
    """`shadow` records what would happen and sends nothing to members."""

    ENFORCE = "enforce"
    SHADOW = "shadow"


class ActionLevel(StrEnum):
    """Steps of the enforcement ladder, plus the explicit "no action" outcome."""

    CORRECTION = "correction"
    WARNING = "warning"
    TEMPORARY_BAN = "temporary_ban"
    PERMANENT_BAN = "permanent_ban"
    NO_ACTION = "no_action"
