"""String enums stored in the database.

Each enum is persisted by *value* (the lower-case string) in a VARCHAR column
guarded by a CHECK constraint, so the stored text is stable and readable in
SQL. Adding a member therefore needs a migration that rewrites the CHECK.
"""

from __future__ import annotations

from enum import StrEnum

# The domain's own identifiers; the database stores their values.
from moderation.ids import ActionLevel, Mode, PolicyId, Response


class CaseStatus(StrEnum):
    OPEN = "open"
    TRIAGED = "triaged"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class ActionStatus(StrEnum):
    ACTIVE = "active"
    LIFTED = "lifted"
    EXPIRED = "expired"
    OVERTURNED = "overturned"


class AppealStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class NudgeStatus(StrEnum):
    SENT = "sent"
    SUPPRESSED = "suppressed"
    FAILED = "failed"
    SHADOW = "shadow"


class ReportSource(StrEnum):
    COMMAND = "command"
    SHORTCUT = "shortcut"
    DM_FALLBACK = "dm_fallback"


class NameCheckStatus(StrEnum):
    """Where a member stands on the real-name check (anonymous_account policy)."""

    OK = "ok"
    NEEDS_FIX = "needs_fix"
    DM_SENT = "dm_sent"
    FIXED = "fixed"


__all__ = [
    "ActionLevel",
    "ActionStatus",
    "AppealStatus",
    "CaseStatus",
    "Mode",
    "NameCheckStatus",
    "NudgeStatus",
    "PolicyId",
    "ReportSource",
    "Response",
]
